"""The KB's capitalised names found anywhere in a text, by first word (no 1,500-way regex alternation)."""
from __future__ import annotations

import re

from stream.nlp.kb import KB

_WORD_RUN = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_GAZ_CACHE: dict[int, Gazetteer] = {}


class Gazetteer:
    """The KB's capitalised names found in a text: at each word start, the longest name that ends
    at a word end, scanning on after it. This is what one regex alternation of every name (longest
    first, between word boundaries) finds, but a dict by first word makes it ~10x cheaper than the
    regex engine trying 1,500 alternatives at every position."""

    def __init__(self, forms: list[str]) -> None:
        self.by_first: dict[str, list[str]] = {}
        for f in sorted(forms, key=len, reverse=True):
            m = _WORD_RUN.match(f)
            if m is not None:
                self.by_first.setdefault(m.group(0), []).append(f)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        out = []
        after = 0
        for m in _WORD_RUN.finditer(text):
            p = m.start()
            if p < after:
                continue
            for f in self.by_first.get(m.group(0), ()):
                q = p + len(f)
                if text.startswith(f, p) and _WORD_CHAR.match(text, q) is None:
                    out.append((p, q, f))
                    after = q
                    break
        return out


def gazetteer_forms(kb: KB) -> list[str]:
    """The KB names the gazetteer looks for (a short single-word name of a person is left to the NER)."""
    return [f for f in kb.gazetteer if (kb.alias.get(f) and not (" " not in f and len(f) <= 4 and kb.by_id[kb.alias[f][0]].is_person))]


def _gazetteer(kb: KB) -> Gazetteer:
    """One Gazetteer per KB (built on first use)."""
    g = _GAZ_CACHE.get(id(kb))
    if g is None:
        g = _GAZ_CACHE[id(kb)] = Gazetteer(gazetteer_forms(kb))
    return g
