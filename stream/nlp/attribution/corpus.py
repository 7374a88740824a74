"""Training data for the learned attribution tagger: PolNeAR brat standoff -> token tags.

Each article is analysed by the same :class:`~stream.nlp.enricher.Enricher` analysis the
worker runs (sentencizer, NER, tagger, parser, lemmatizer over every sentence), so the
tagger trains on exactly the tokens and parse it will see. Every gold attribution
(Source / Cue / Content, the events of the ``.ann`` file that the PolNeAR scorer counts)
tags the tokens it overlaps ``B-``/``I-`` + ``SRC``/``CUE``/``CON``; where two overlap
(an attribution nested in another's content) the inner roles win, cue over source over
content, so the outer content is cut around them.

Which articles: the PolNeAR training split less every article that
``stance-real-dev.jsonl`` holds (that set must stay a fair check of the whole pipeline).
PolNeAR dev is never read here. A fixed slice of the training articles is held out for
``spacy train``'s own evaluation (checkpoint choice), chosen by a hash of the file name.

The docs are written as two DocBins (train / heldout) whose docs keep the parse and
entities as predicted; the gold tags go in ``user_data`` and the registered reader
``stance_stream.AttributionCorpus.v1`` turns them into :class:`spacy.training.Example`.
"""
from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import registry

ROLES = ("Source", "Cue", "Content")
ROLE_TAG = {"Source": "SRC", "Cue": "CUE", "Content": "CON"}
_PRIORITY = {"Cue": 3, "Source": 2, "Content": 1}
LABELS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
HELDOUT_SHARE = 20  # one article in 20 goes to the held-out set

Span = tuple[int, int]


@dataclass(slots=True)
class GoldAttribution:
    """One annotated attribution: its spans by role (a role may have several pieces)."""

    source: list[Span] = field(default_factory=list)
    cue: list[Span] = field(default_factory=list)
    content: list[Span] = field(default_factory=list)

    def spans(self, role: str) -> list[Span]:
        return {"Source": self.source, "Cue": self.cue, "Content": self.content}[role]


def parse_ann(text: str) -> list[GoldAttribution]:
    """The attributions of one brat ``.ann`` file, as the PolNeAR scorer reads them
    (events with a Content). Lines the scorer would choke on (a span's text running
    over a line break) are skipped instead."""
    spans: dict[str, list[Span]] = {}
    events: list[list[str]] = []
    for line in text.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            _label, _, ranges = parts[1].partition(" ")
            pieces = []
            for rng in ranges.split(";"):
                ab = rng.split()
                if len(ab) == 2 and ab[0].isdigit() and ab[1].isdigit():
                    pieces.append((int(ab[0]), int(ab[1])))
            if pieces:
                spans[parts[0]] = pieces
        elif line.startswith("E") and len(parts) >= 2:
            events.append(parts[1].split())
    out = []
    for ev in events:
        g = GoldAttribution()
        for arg in ev[1:]:
            role, _, tid = arg.partition(":")
            role = role.rstrip("0123456789")
            if role in ROLES and tid in spans:
                g.spans(role).extend(spans[tid])
        if g.content:
            out.append(g)
    return out


def first_annotation(split: Path, stem: str) -> Path | None:
    """The annotation file the scorer reads for an article (the first of its annotators)."""
    found = sorted((split / "attributions").glob(f"{stem}_*.ann"))
    return found[0] if found else None


def excluded_ids(shared_eval: Path) -> set[str]:
    """Article ids that must never be trained on: every article of stance-real-dev."""
    path = shared_eval / "stance-real-dev.jsonl"
    ids = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                ids.add(json.loads(line)["id"])
    return ids


def heldout(stem: str) -> bool:
    """A fixed, content-independent split: the same articles are held out on every machine."""
    return int(hashlib.sha1(stem.encode()).hexdigest(), 16) % HELDOUT_SHARE == 0


def token_tags(doc: Doc, body_starts: list[int], gold: list[GoldAttribution]) -> list[str]:
    """BIO tags of ``doc``'s tokens (``body_starts[i]``: token i's offset in the body)."""
    n = len(doc)
    best: list[tuple[int, int, str]] = [(0, -1, "O")] * n  # (priority, attribution, role tag)
    ends = [body_starts[i] + len(doc[i].text) for i in range(n)]
    for k, g in enumerate(gold):
        for role in ROLES:
            pr = _PRIORITY[role]
            for s, e in g.spans(role):
                i = bisect.bisect_right(ends, s)  # the first token ending after s
                while i < n and body_starts[i] < e:
                    if not doc[i].is_space and pr > best[i][0]:
                        best[i] = (pr, k, ROLE_TAG[role])
                    i += 1
    tags = []
    prev: tuple[int, str] = (-1, "O")
    for i in range(n):
        _pr, k, tag = best[i]
        if tag == "O":
            tags.append("O")
            prev = (-1, "O")
            continue
        tags.append(("I-" if prev == (k, tag) else "B-") + tag)
        prev = (k, tag)
    return tags


def build(shared: Path, out_dir: Path, *, limit: int | None = None, log: Callable[[str], None] = print) -> dict:
    """Analyse the training articles and write ``train.spacy`` and ``heldout.spacy`` to ``out_dir``."""
    from schemas import Article
    from stream.nlp.enricher import Enricher
    from stream.settings import get_settings

    split = shared / "eval" / "polnear-train"
    skip = excluded_ids(shared / "eval")
    enricher = Enricher(get_settings().model_copy(update={"nlp_parse_all": True, "attribution": "rules"}))
    bins = {"train": DocBin(store_user_data=True), "heldout": DocBin(store_user_data=True)}
    counts = {"train": 0, "heldout": 0, "excluded": 0, "tokens": 0, "attributions": 0}
    texts = sorted((split / "text").glob("*.txt"))
    if limit:
        texts = texts[:limit]
    for n, txt in enumerate(texts, 1):
        stem = txt.stem
        if f"polnear-{stem}" in skip:
            counts["excluded"] += 1
            continue
        ann = first_annotation(split, stem)
        if ann is None:
            continue
        gold = parse_ann(ann.read_text(encoding="utf-8"))
        body = txt.read_text(encoding="utf-8")
        date = stem.split("_")[1] if stem.count("_") >= 1 else "2016-01-01"
        article = Article(id=f"polnear-{stem}", body=body, title="", source=stem.split("_")[0],
                          language="en", published_at=f"{date}T12:00:00Z")
        _doc, sub, cmap = enricher._analyse([article])[0]
        doc = sub
        doc.user_data["attribution_tags"] = token_tags(doc, cmap.body, gold)
        part = "heldout" if heldout(stem) else "train"
        bins[part].add(doc)
        counts[part] += 1
        counts["tokens"] += len(doc)
        counts["attributions"] += len(gold)
        if n % 100 == 0:
            log(f"analysed {n}/{len(texts)} articles")
    out_dir.mkdir(parents=True, exist_ok=True)
    for part, db in bins.items():
        db.to_disk(out_dir / f"{part}.spacy")
    (out_dir / "counts.json").write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    return counts


@registry.readers("stance_stream.AttributionCorpus.v1")
def attribution_corpus(path: Path) -> Callable[[Language], Iterable[Example]]:
    """Examples whose predicted docs keep the parse (the tagger's features read it) and
    whose reference docs carry the attribution tags."""

    def read(nlp: Language) -> Iterator[Example]:
        db = DocBin(store_user_data=True).from_disk(path)
        for doc in db.get_docs(nlp.vocab):
            tags = doc.user_data.get("attribution_tags")
            if not tags:
                continue
            yield Example.from_dict(doc, {"tags": list(tags)})

    return read
