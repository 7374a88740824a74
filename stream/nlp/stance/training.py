"""Training data for the stance classifier and the command's core (pure: no Faust, no broker).

Labels come from gold stances in the shared evaluation format: a candidate is labelled with
the polarity of the first gold stance whose actor and topic it matches, by the same folding
and matching rules as ``../shared/eval/score.py`` (actor: exact folded name among the gold's
aliases; topic: every keyword group has a keyword inside the candidate's target, label or id).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas import Article
from stream.nlp.stance.candidates import StanceCandidate
from stream.nlp.stance.classifier import ClassifierConfig, fit

LABELS_DIR = Path(__file__).resolve().parent.parent / "data" / "labels"
#: The project's own stance labels of PolNeAR training texts (ids and gold only; bodies are read from the corpus).
OWN_LABELS = LABELS_DIR / "polnear-train-stances.jsonl"


@dataclass(frozen=True)
class LabelledArticle:
    article: Article
    golds: list[dict]


def fold(text: str) -> str:
    """The scorer's normalisation: accents and case folded, possessive dropped, punctuation to spaces."""
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("'s", "")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def about(names: set[str], text: str, gold: dict) -> bool:
    """The scorer's match of actor and topic: a folded actor name among the gold's, and every keyword
    group with a keyword inside the folded target ``text``."""
    gnames = {fold(gold["actor"])} | {fold(a) for a in gold.get("aliases", [])}
    if not names & gnames:
        return False
    groups = gold.get("keywords") or [[w] for w in fold(gold["topic"]).split()]
    return all(any(fold(k) in text for k in group) for group in groups)


def candidate_keys(c: StanceCandidate) -> tuple[set[str], str]:
    """A candidate's folded actor names and target text, as the scorer reads a stance."""
    return ({fold(c.actor.name), fold(c.actor.id)} - {""},
            fold(" ".join([c.text, c.topic_label, c.topic_id.replace("-", " ").replace("_", " ")])))


def label_of(c: StanceCandidate, golds: list[dict]) -> int:
    """0 none, 1 support, 2 oppose: the polarity of the first gold stance the candidate matches."""
    names, text = candidate_keys(c)
    for g in golds:
        if about(names, text, g):
            return 1 if g["polarity"] == "support" else 2
    return 0


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(shared: Path) -> list[LabelledArticle]:
    """stance-real-train plus the project's own labels, never an article of stance-real-dev."""
    evald = shared / "eval"
    held_out = {row["id"] for row in _read(evald / "stance-real-dev.jsonl")}
    out: list[LabelledArticle] = []
    for row in _read(evald / "stance-real-train.jsonl"):
        gold = row.pop("gold")
        out.append(LabelledArticle(Article.model_validate(row), gold["stances"]))
    bodies = {row["id"]: row for row in _read(shared / "corpus" / "polnear-train.jsonl")}
    for row in _read(OWN_LABELS):
        base = dict(bodies[row["id"]])
        out.append(LabelledArticle(Article.model_validate(base), row["gold"]["stances"]))
    leaked = sorted({a.article.id for a in out} & held_out)
    if leaked:
        raise ValueError(f"training data holds {len(leaked)} stance-real-dev articles: {leaked[:3]}")
    return out


def rows(pairs: Iterable[tuple[LabelledArticle, list[StanceCandidate]]]) -> Iterator[tuple[dict[str, float], int]]:
    for la, cands in pairs:
        for c in cands:
            yield c.feats, label_of(c, la.golds)


def train(pairs: Iterable[tuple[LabelledArticle, list[StanceCandidate]]], config: ClassifierConfig | None = None) -> dict:
    return fit(list(rows(pairs)), config)
