"""Configuration of the stance extractor."""
from __future__ import annotations

from dataclasses import dataclass

from stream.nlp.errors import LENIENT, ErrorPolicy

MAX_SENTENCES = 400  # stance analysis bound for very long bodies (entities still cover the whole body)


@dataclass(frozen=True)
class StanceConfig:
    """What a deployment may set on :class:`~stream.nlp.stance.StanceExtractor`."""

    version: str = "rules"                 #: ``extractor_version`` of every record
    max_sentences: int = MAX_SENTENCES     #: sentences analysed per article (entities cover the whole body)
    errors: ErrorPolicy = LENIENT          #: what a rule error does (see stream.nlp.errors)
