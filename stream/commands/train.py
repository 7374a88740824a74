"""``stance train stance|attribution``: refit a learned component and write its shipped weights.

``stance``: the learned stance classifier (below). ``attribution``: the attribution tagger
(:mod:`stream.nlp.attribution.tagger`), trained with ``spacy train`` on the config beside it,
from PolNeAR's training split less stance-real-dev's articles (see :func:`train_attribution`).

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


def train_attribution(shared: Path, out: Path, work: Path, log=print) -> dict:
    """Build the tagger's corpus (the worker's own analysis of every training article), run
    ``spacy train`` on ``tagger.cfg`` with its fixed seed on the CPU, and copy the best
    checkpoint (by held-out tag accuracy) to ``out``. Returns the corpus counts and scores."""
    import shutil

    from spacy.cli.train import train as spacy_train

    from stream.nlp import backend
    from stream.nlp.attribution import corpus
    from stream.nlp.attribution.tagger import CONFIG

    backend.configure(get_settings())  # OpenBLAS, one thread: the same products, 1.4x faster than blis here
    started = time.monotonic()
    data = work / "corpus"
    counts = corpus.build(shared, data, log=log)
    log(f"corpus: {counts['train']} training and {counts['heldout']} held-out articles, "
        f"{counts['excluded']} left out (stance-real-dev), {counts['tokens']} tokens, "
        f"{counts['attributions']} attributions, in {time.monotonic() - started:.0f} s")
    models = work / "models"
    if models.exists():
        shutil.rmtree(models)
    spacy_train(CONFIG, models, overrides={"paths.train": str(data / "train.spacy"),
                                           "paths.dev": str(data / "heldout.spacy")}, use_gpu=-1)
    best = models / "model-best"
    meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(best, out)
    return {"counts": counts, "performance": meta.get("performance", {}), "seconds": time.monotonic() - started}


OPTIONS = [
    argument("what", type=click.Choice(["stance", "attribution"])),
    option("--shared", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared"),
           help="The shared data folder (eval/ and corpus/)"),
    option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
           help="Where to write the weights (default: the shipped file in the package)"),
    option("--check", is_flag=True, help="Fit and compare with the shipped weights; write nothing (stance only)"),
    option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path("var/train-attribution"),
           help="Scratch folder for the attribution corpus and checkpoints"),
]


async def command(self, what: str, shared: Path, out: Path | None, check: bool, work: Path) -> None:
    """Refit a learned component (the stance classifier or the attribution tagger) from the training sets."""
    from stream.nlp.stance.classifier import SHIPPED

    if what == "attribution":
        from stream.nlp.attribution.tagger import SHIPPED as TAGGER

        if not (shared / "eval" / "polnear-train" / "text").is_dir():
            raise click.UsageError(f"no polnear-train/text in {shared / 'eval'}: give --shared DIR")
        if check:
            raise click.UsageError("--check is for `stance train stance`; score a trained tagger with the PolNeAR gate")
        target = out or TAGGER
        result = train_attribution(shared, target, work, log=lambda m: say(self, m))
        perf = result["performance"]
        say(self, f"wrote {target} in {result['seconds']:.0f} s (held-out tag accuracy "
                  f"{perf.get('tag_acc', 0.0):.3f}); score it: make attribution-score")
        return

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
