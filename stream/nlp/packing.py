"""Packing: the sentences to parse, copied into one Doc per article.

By default every sentence is parsed (``STANCE_NLP_PARSE_ALL``): real reporting states
positions in sentences without a stance or cue word. With it off, only the sentences that
can hold a stance or a quote are parsed. :func:`pack` copies them into one new Doc and
returns a :class:`CharMap` from its character offsets back to the article body.
"""
from __future__ import annotations

import bisect

from stream.nlp.lexicons.quotes import QUOTE_MARKS
from stream.nlp.stance.words import TRIGGER_FORMS


class CharMap:
    """Maps char offsets of the packed (parsed) Doc back to the body."""

    def __init__(self, sub_starts: list[int], body_starts: list[int]):
        self.sub = sub_starts
        self.body = body_starts

    def start(self, c: int) -> int:
        j = bisect.bisect_right(self.sub, c) - 1
        if j < 0:
            return 0
        return self.body[j] + (c - self.sub[j])

    def end(self, c: int) -> int:
        return self.start(max(c - 1, 0)) + 1 if c > 0 else 0


def pack(doc, vocab, every_sentence: bool = False):
    """The candidate sentences of ``doc`` (all of them with ``every_sentence``) as one new Doc to parse,
    plus the offset map back to the body."""
    from spacy.tokens import Doc

    words, spaces, sub_starts, body_starts = [], [], [], []
    pos = 0
    for sent in doc.sents:
        if not every_sentence and not candidate(sent):
            continue
        toks = [t for t in sent]
        for k, t in enumerate(toks):
            words.append(t.text)
            sp = bool(t.whitespace_) or k == len(toks) - 1
            spaces.append(sp)
            sub_starts.append(pos)
            body_starts.append(t.idx)
            pos += len(t.text) + (1 if sp else 0)
    sub = Doc(vocab, words=words, spaces=spaces)
    return sub, CharMap(sub_starts, body_starts)


def candidate(sent) -> bool:
    """A sentence worth parsing: it holds a word form that can start a stance, or a quotation mark."""
    for t in sent:
        lw = t.lower_
        if lw in TRIGGER_FORMS or (len(t) == 1 and t.text in QUOTE_MARKS):
            return True
    return False
