"""Valence of political evaluation words that general sentiment lexicons miss or mis-sign.

Merged into VADER's lexicon by :mod:`stream.nlp.sentiment`; values on VADER's -4..4 scale.
"""
from __future__ import annotations

# Evaluative words of political speech that general sentiment lexicons miss or mis-sign; valence on
# VADER's -4..4 scale.
EVALUATIVE_EXTRA: dict[str, float] = {
    "arbitrary": -1.5, "con": -1.0, "artist": 0.0, "unfit": -2.0, "unqualified": -2.0, "joke": -1.5,
    "hypocrite": -2.2, "hypocritical": -2.0, "demagogue": -2.2, "bigot": -2.5, "bigoted": -2.5,
    "racist": -2.5, "extremist": -2.0, "extreme": -1.2, "radical": -1.0, "reckless": -2.0,
    "irresponsible": -2.0, "dishonest": -2.2, "crook": -2.5, "crooked": -2.3, "lightweight": -1.5,
    "neophyte": -1.0, "carpetbagger": -1.8, "predatory": -2.2, "slavery": -2.5, "puppet": -1.5, "clown": -1.8, "disaster": -2.0, "disastrous": -2.3,
    "misguided": -1.8, "wrongheaded": -2.0, "dangerous": -2.0, "divisive": -1.8, "unconstitutional": -2.0,
    "illegal": -1.5, "outrageous": -2.0, "unacceptable": -2.2, "shameful": -2.2, "absurd": -1.8,
    "ridiculous": -1.8, "nonsense": -1.8, "phony": -2.0, "fake": -1.5, "mess": -1.5, "failure": -2.0,
    "failed": -1.8, "qualified": 1.5, "unifier": 1.5, "leader": 0.8, "patriot": 1.5, "principled": 1.8,
    "courageous": 2.0, "visionary": 1.8, "competent": 1.2, "experienced": 1.0, "fighter": 1.2,
    "champion": 1.5, "friend": 1.2, "ally": 1.0, "sensible": 1.5, "reasonable": 1.2, "fair": 1.2,
}
