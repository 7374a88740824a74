"""Cross-validation of the learned stance stage on its training sets (a developer's measuring tool).

``python -m stream.devtools.stance_cv [--shared ../shared] [--folds 4] [--threshold T]`` splits
the training articles (stance-real-train and the project's own labels) by article into folds,
fits the classifier on the others and scores each held-out fold with the shared scorer's
matching rules (learned stage only: the catalogue rules are not run). It prints one line for
each training set; the README's *Measured quality* figures come from it.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from stream.nlp.stance import training
from stream.nlp.stance.classifier import ClassifierConfig, StanceClassifier, fit
from stream.nlp.stance.training import about, candidate_keys


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--threshold", type=float, default=ClassifierConfig().threshold)
    args = ap.parse_args(argv)
    from stream.nlp.enricher import Enricher
    from stream.settings import get_settings

    articles = training.load(args.shared)
    real = {json.loads(line)["id"] for line in (args.shared / "eval" / "stance-real-train.jsonl").open(encoding="utf-8")}
    enricher = Enricher(get_settings().model_copy(update={"stance_learned": False}))
    by_id = {la.article.id: la for la in articles}
    pairs = [(by_id[a.id], c) for a, c in enricher.stance_candidates([la.article for la in articles])]
    folds = [pairs[i::args.folds] for i in range(args.folds)]
    totals = {"stance-real-train": [0, 0, 0, 0], "own labels": [0, 0, 0, 0]}  # system, correct, gold, found
    config = ClassifierConfig(threshold=args.threshold)
    with tempfile.TemporaryDirectory() as tmp:
        for i, held in enumerate(folds):
            weights = Path(tmp) / f"fold{i}.json"
            rest = [p for j, f in enumerate(folds) if j != i for p in f]
            weights.write_text(json.dumps(fit(list(training.rows(rest)), config)), encoding="utf-8")
            clf = StanceClassifier(ClassifierConfig(weights=weights, threshold=args.threshold))
            for la, cands in held:
                best: dict = {}
                for d in clf.decide(cands):
                    key = (d.candidate.actor.id, d.candidate.topic_id)
                    if key not in best or best[key].probability < d.probability:
                        best[key] = d
                found = [(candidate_keys(d.candidate), "support" if d.polarity > 0 else "oppose") for d in best.values()]
                t = totals["stance-real-train" if la.article.id in real else "own labels"]
                for (names, text), pol in found:
                    if any(about(names, text, g) and g["polarity"] == pol for g in la.golds):
                        t[0] += 1
                        t[1] += 1
                    elif not any(g.get("optional") and about(names, text, g) for g in la.golds):
                        t[0] += 1
                for g in la.golds:
                    if not g.get("optional"):
                        t[2] += 1
                        t[3] += any(about(names, text, g) and g["polarity"] == pol for (names, text), pol in found)
    for name, (ns, nc, ng, nf) in totals.items():
        p, r = (nc / ns if ns else 0.0), (nf / ng if ng else 0.0)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name}: {args.folds}-fold CV stance P={p:.3f} R={r:.3f} F1={f1:.3f} (system {ns}, gold {ng})")


if __name__ == "__main__":
    main()
