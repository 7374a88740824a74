"""``stance train stance``: refit the learned stance classifier and write its shipped weights.

Reads the training sets by path (``--shared``, default ``../shared``): the real-news stance
training set and the project's own labels of PolNeAR training texts, never a dev set. The
fit is deterministic (fixed seed, sorted features), so the same data gives the same
weights; ``--check`` compares a fresh fit with the shipped file instead of writing it.
Needs scikit-learn (``pip install -e '.[train]'``; the dev extra has it too).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from stream.commands import argument, option, say
from stream.settings import get_settings


def train_stance(shared: Path, out: Path | None) -> dict:
    """Fit on the training sets; write the weights to ``out`` unless it is None. Returns them."""
    from stream.nlp.enricher import Enricher
    from stream.nlp.stance import training

    articles = training.load(shared)
    enricher = Enricher(get_settings().model_copy(update={"stance_learned": False}))
    by_id = {la.article.id: la for la in articles}
    pairs = [(by_id[a.id], cands) for a, cands in enricher.stance_candidates([la.article for la in articles])]
    weights = training.train(pairs)
    weights["trained_on"] = {"articles": len(articles), "candidates": sum(len(c) for _, c in pairs)}
    if out is not None:
        out.write_text(json.dumps(weights, separators=(",", ":")) + "\n", encoding="utf-8")
    return weights


OPTIONS = [
    argument("what", type=click.Choice(["stance"])),
    option("--shared", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared"),
           help="The shared data folder (eval/ and corpus/)"),
    option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
           help="Where to write the weights (default: the shipped file in the package)"),
    option("--check", is_flag=True, help="Fit and compare with the shipped weights; write nothing"),
]


async def command(self, what: str, shared: Path, out: Path | None, check: bool) -> None:
    """Refit the learned stance classifier from the training sets."""
    from stream.nlp.stance.classifier import SHIPPED

    if not (shared / "eval" / "stance-real-train.jsonl").is_file():
        raise click.UsageError(f"no stance-real-train.jsonl in {shared / 'eval'}: give --shared DIR")
    started = time.monotonic()
    target = None if check else (out or SHIPPED)
    weights = train_stance(shared, target)
    took = time.monotonic() - started
    if check:
        shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
        same = all(shipped.get(k) == weights.get(k) for k in ("features", "coef", "intercept", "threshold"))
        say(self, f"fitted in {took:.0f} s on {weights['trained_on']['articles']} articles: "
                  f"{'identical to' if same else 'DIFFERENT from'} {SHIPPED}")
        if not same:
            sys.exit(1)
        return
    say(self, f"wrote {target} ({len(weights['features'])} features, {weights['trained_on']['articles']} articles, "
              f"{weights['trained_on']['candidates']} candidates) in {took:.0f} s")
