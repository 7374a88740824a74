"""Valence of short phrases: VADER's lexicon and rules (negation, intensifiers, "but"), plus
political evaluation words it lacks (:mod:`stream.nlp.lexicons.evaluative`).

VADER was built for short social-media text, which is what a quoted judgement is ("a total
disaster", "not qualified"); it runs offline from its PyPI package in microseconds.
"""
from __future__ import annotations

from functools import lru_cache

from stream.nlp.lexicons.evaluative import EVALUATIVE_EXTRA


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(EVALUATIVE_EXTRA)
    return analyzer


@lru_cache(maxsize=4096)
def scores(text: str) -> dict[str, float]:
    """VADER's ``neg``, ``neu``, ``pos`` and ``compound`` (-1..1) for ``text``."""
    return dict(_analyzer().polarity_scores(text))


def valence(text: str) -> float:
    """The compound score (-1..1) of a short phrase."""
    return scores(text)["compound"]
