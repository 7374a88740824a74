"""Attribution extraction: who said what, pure Python over a parsed spaCy Doc.

``extract_attributions(doc)`` returns :class:`RawAttribution` records with
character offsets into ``doc.text`` (the article body exactly as received),
sorted by cue start, one per cue token. An error inside the rules gives ``[]``, logged
with the article id and counted (raised with a strict policy, see :mod:`stream.nlp.errors`).

Rules only, in four passes, linear in document length (every search is bounded by
a small window or by the sentence; ``Doc.text`` / ``Token.sent`` are computed once
because spaCy makes them O(len(doc)) per call):

1. quotation-driven: every quotation (“...”, "...", ''...'', ``...'') is paired
   within its paragraph; the text right after it (``, X said`` / ``, said X`` /
   ``― Name``) or right before it (``X said:`` / ``Said X:``) is searched for a
   cue verb. This survives the small parser mangling ``“...,” Chief Jordan said``.
   ``“A,” he said. “B.”`` gives one attribution whose content runs over both parts.
2. dependency-driven: a cue verb (``SPEECH_LEMMAS`` / ``POSITION_LEMMAS``) with a
   subject (nsubj; the passive agent; the subject of the governing verb for
   ``..., saying``, ``X denied it and said``, ``by telling``; the noun for
   ``a statement saying``) and a content: complement clause, object, quotation,
   ``X added:`` + next paragraph, the passive subject (``The plan was rejected by
   X``), or the rest of the sentence for a parenthetical ``Y, he said``. Plus
   ``according to X``. A passive subject is never the source.
3. noun cues with a possessor: ``Trump's claim that ...``.
4. transcript lines ``NAME: text``.

Speaker and content are then cut to the cue's line (parses that run a headline
into the first paragraph), and an attribution whose cue hangs off another one's
content (``He said he doubted ...``) is dropped.

Measured on PolNeAR dev (``/work/shared/eval/polnear.py score``): see
tests/quality/test_alert_quality.py::test_polnear_source_f1_through_process.

Modules: :mod:`.extract` (the entry point), :mod:`.quotes` (pass 1), :mod:`.passes` (passes 2-4),
:mod:`.syntax` (the record, span and subject helpers, the token index); the cue words are in
:mod:`stream.nlp.lexicons.speech`.
"""
from stream.nlp.attribution.extract import extract_attributions
from stream.nlp.attribution.syntax import RawAttribution
from stream.nlp.lexicons.speech import CUE_LEMMAS, NOUN_CUE_LEMMAS, POSITION_LEMMAS, SPEECH_LEMMAS

__all__ = [
    "RawAttribution",
    "CUE_LEMMAS",
    "SPEECH_LEMMAS",
    "POSITION_LEMMAS",
    "NOUN_CUE_LEMMAS",
    "extract_attributions",
]
