"""The learned stance classifier: which candidates hold a stance, and which polarity.

A multinomial logistic regression (none / support / oppose) over the sparse features of
:mod:`stream.nlp.stance.candidates`. Inference is a dot product in numpy over weights shipped
as JSON (``stream/nlp/data/stance-classifier.json``), so the worker needs no learning library;
``stance train stance`` refits it with scikit-learn from the training sets below, with a fixed
seed, in well under a minute on two cores.

Training data (never a dev set): ``../shared/eval/stance-real-train.jsonl`` and the project's
own labels of 84 PolNeAR training articles (``stream/nlp/data/labels/``), none of them among
the 40 that ``stance-real-dev.jsonl`` uses. A candidate is labelled with the polarity of the
gold stance it matches (actor and topic, the shared scorer's rules), else "none".
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stream.nlp.stance.candidates import StanceCandidate

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "stance-classifier.json"
LABELS = ("none", "support", "oppose")
DEFAULT_THRESHOLD = 0.55


@dataclass(frozen=True)
class ClassifierConfig:
    """How the classifier is fitted and where its weights live."""

    weights: Path = SHIPPED
    #: a candidate becomes a stance when its class probability reaches this; None: the value shipped with the
    #: weights (DEFAULT_THRESHOLD when they carry none). A deployment's STANCE_STANCE_THRESHOLD wins over the file.
    threshold: float | None = None
    quote_margin: float = 0.0       #: what a whole quote needs on top: its words' tone is weaker evidence of a target
    #: what a candidate needs on top when the rules' syntax gives its polarity: then the probability of any
    #: stance counts, not of one polarity, so the bar is higher (chosen by cross-validation)
    syntax_margin: float = 0.1
    c: float = 0.25                 #: inverse L2 strength (chosen by 4-fold cross-validation on the training sets)
    class_weight: float = 2.0       #: weight of the support and oppose classes against "none"
    seed: int = 13


@dataclass(frozen=True, slots=True)
class Decision:
    candidate: StanceCandidate
    polarity: int                   #: +1 support, -1 oppose
    probability: float


class StanceClassifier:
    """Scores candidates with shipped weights."""

    def __init__(self, config: ClassifierConfig | None = None):
        self.config = config or ClassifierConfig()
        data = json.loads(Path(self.config.weights).read_text(encoding="utf-8"))
        self.features: dict[str, int] = {name: i for i, name in enumerate(data["features"])}
        self.coef = np.asarray(data["coef"], dtype=np.float64)          # (classes, features)
        self.intercept = np.asarray(data["intercept"], dtype=np.float64)
        self.threshold = float(self.config.threshold if self.config.threshold is not None
                               else data.get("threshold", DEFAULT_THRESHOLD))
        self.quote_margin = float(data.get("quote_margin", self.config.quote_margin))
        self.syntax_margin = float(data.get("syntax_margin", self.config.syntax_margin))
        self.version = str(data.get("version", "stance-classifier"))

    def probabilities(self, candidates: list[StanceCandidate]) -> np.ndarray:
        """Class probabilities (none, support, oppose) per candidate."""
        x = np.zeros((len(candidates), len(self.features)), dtype=np.float64)
        for row, cand in enumerate(candidates):
            for name, value in cand.feats.items():
                col = self.features.get(name)
                if col is not None:
                    x[row, col] = value
        logits = x @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def decide(self, candidates: list[StanceCandidate]) -> list[Decision]:
        """Candidates whose best class is a polarity with probability >= the threshold."""
        if not candidates:
            return []
        out = []
        for cand, p in zip(candidates, self.probabilities(candidates)):
            need = self.threshold + (self.quote_margin if cand.feats.get("src=quote") else 0.0)
            stance = float(p[1] + p[2])
            k = int(np.argmax(p))
            told = syntax_polarity(cand, candidates)
            if told and k and stance >= need + self.syntax_margin:
                # the parse composed the polarity ("declined to endorse" is against): the classifier says
                # whether there is a stance at all, the syntax which way it goes
                out.append(Decision(cand, told, stance))
            elif k and p[k] >= need and (not told or told == (1 if k == 1 else -1)):
                out.append(Decision(cand, 1 if k == 1 else -1, float(p[k])))
        return out


def syntax_polarity(cand: StanceCandidate, candidates: list[StanceCandidate]) -> int:
    """The polarity a dependency rule composed for this actor and topic where the candidate's evidence lies
    (the rule's span overlaps it), else 0; 0 too when rules there disagree."""
    pols = {c.rule_polarity for c in candidates
            if c.rule_polarity and c.actor.id == cand.actor.id and c.topic_id == cand.topic_id
            and c.start < cand.end and cand.start < c.end}
    return pols.pop() if len(pols) == 1 else 0


def fit(rows: list[tuple[dict[str, float], int]], config: ClassifierConfig | None = None) -> dict:
    """Fit on (features, label) pairs; returns the JSON-ready weights. Needs scikit-learn."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    config = config or ClassifierConfig()
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([f for f, _ in rows])
    y = [label for _, label in rows]
    model = LogisticRegression(C=config.c, max_iter=3000, random_state=config.seed,
                               class_weight={0: 1.0, 1: config.class_weight, 2: config.class_weight})
    model.fit(x, y)
    return {
        "version": "stance-classifier-1",
        "threshold": config.threshold if config.threshold is not None else DEFAULT_THRESHOLD,
        "quote_margin": config.quote_margin,
        "syntax_margin": config.syntax_margin,
        "features": list(vec.get_feature_names_out()),
        "coef": [[round(float(v), 6) for v in row] for row in model.coef_],
        "intercept": [round(float(v), 6) for v in model.intercept_],
        "classes": [LABELS[int(c)] for c in model.classes_],
    }
