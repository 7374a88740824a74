"""spaCy's attribute ruler and rule lemmatizer, memoised per distinct token.

Both components are pure functions of a few token attributes, but spaCy runs them as a Python
loop that builds a Token object and sets string attributes for every token (the ruler through
a Matcher pass that matches almost every token), which cost about 15% of our enrichment time.
Here each distinct key is computed once by the real component and the results are written back
with ``Doc.from_array``, so the output is the same as spaCy's, token for token
(tests/test_memo.py checks that against the real components).
"""
from __future__ import annotations

import copy
import re

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.lookups import Lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token


class _ValueClasses:
    """Folds an attribute's values into the classes the patterns can tell apart.

    A value named in a pattern (as itself or in an IN/NOT_IN list) is its own class; every other
    value falls into one class per combination of the patterns' regular expressions it matches.
    That keeps the memo small (a few thousand keys, not one per word x tag x dependency).
    """

    def __init__(self, strings, named: set[str], regexes: list[str]) -> None:
        self.strings = strings
        self.named = named
        self.regexes = [re.compile(r) for r in regexes]
        self.cache: dict[int, object] = {}

    def __call__(self, h: int) -> object:
        c = self.cache.get(h)
        if c is None:
            v = self.strings[h] if h else ""
            c = self.cache[h] = v if v in self.named else (None, *(bool(r.search(v)) for r in self.regexes))
        return c


class _DocComponent:
    """``pipe`` as spaCy's components have it, over the subclass's ``__call__``."""

    def pipe(self, docs, batch_size: int = 0):
        for d in docs:
            yield self(d)


class MemoAttributeRuler(_DocComponent):
    """The model's ``attribute_ruler``, keyed by the attributes its one-token patterns read.

    A few patterns span two tokens ("there is", "let 's"): a token that can start one of them is
    flagged in its cached entry, and the tokens around it are run through the real ruler in a
    small window that holds every match touching them.
    """

    ATTRS = ("LOWER", "TAG", "DEP")  # the key: these, folded into classes, and IS_SPACE
    KEY = [LOWER, TAG, DEP, IS_SPACE]
    OUT = [TAG, POS, MORPH, LEMMA]

    def __init__(self, ruler) -> None:
        self.ruler = ruler
        self.vocab = ruler.vocab
        self.firsts = Matcher(self.vocab)
        self.span = 1
        named: dict[str, set[str]] = {k: set() for k in self.ATTRS}
        regexes: dict[str, list[str]] = {k: [] for k in self.ATTRS}
        for i, entry in enumerate(ruler.patterns):
            for p in entry["patterns"]:
                if len(p) > 1:
                    self.firsts.add(f"first-{i}", [[p[0]]])
                    self.span = max(self.span, len(p))
                for tok in p:
                    for attr, value in tok.items():
                        if attr == "IS_SPACE" and isinstance(value, bool):
                            continue
                        if attr not in self.ATTRS:  # the key would not determine the result
                            raise ValueError(f"attribute ruler patterns read {attr}; cannot memoise")
                        if isinstance(value, str):
                            named[attr].add(value)
                        elif isinstance(value, dict) and set(value) <= {"IN", "NOT_IN", "REGEX"}:
                            for op, arg in value.items():
                                if op == "REGEX":
                                    regexes[attr].append(arg)
                                else:
                                    named[attr].update(arg)
                        else:
                            raise ValueError(f"attribute ruler pattern {attr}: {value!r}; cannot memoise")
        self.classes = [_ValueClasses(self.vocab.strings, named[a], regexes[a]) for a in self.ATTRS]
        self.cache: dict[tuple, tuple[int, ...]] = {}

    def _compute(self, token: Token) -> tuple[int, ...]:
        one = Doc(self.vocab, words=[token.text], spaces=[False])
        one[0].tag = token.tag
        one[0].dep = token.dep
        starts = bool(self.firsts(one, allow_missing=True))
        self.ruler(one)
        t = one[0]
        return (t.tag, t.pos, t.morph.key, t.lemma, starts)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        rows = doc.to_array(self.KEY).tolist()
        out = []
        starts = []
        cache = self.cache
        lower_c, tag_c, dep_c = self.classes
        for i, (lw, tg, dp, sp) in enumerate(rows):
            k = (lower_c(lw), tag_c(tg), dep_c(dp), sp)
            v = cache.get(k)
            if v is None:
                v = cache[k] = self._compute(doc[i])
            if v[4]:
                starts.append(i)
            out.append(v[:4])
        span = self.span
        for i in starts:
            lo, hi = max(0, i - span + 1), min(n, i + 2 * span - 1)
            window = doc[lo:hi].as_doc()
            for k, t in enumerate(window):  # as_doc relabels tokens whose head is outside the window
                t.dep = doc[lo + k].dep
            self.ruler(window)
            for j in range(i, min(n, i + span)):
                t = window[j - lo]
                out[j] = (t.tag, t.pos, t.morph.key, t.lemma)
        doc.from_array(self.OUT, numpy.array(out, dtype="uint64"))
        return doc


class MemoLemmatizer(_DocComponent):
    """The model's rule lemmatizer, keyed as spaCy's own cache is: (orth, pos, morph).

    Tokens that already hold a lemma (set by the attribute ruler) keep it, as in spaCy. A new key
    is lemmatised by a copy of the model's lemmatizer whose word lists are sets: spaCy keeps them
    as lists and tests membership in them (57,000 nouns) for every new word, which made a
    first sight of a word cost ~150 us.
    """

    KEY = [ORTH, POS, MORPH, LEMMA]

    def __init__(self, lemmatizer) -> None:
        if getattr(lemmatizer, "mode", None) != "rule" or lemmatizer.overwrite:
            raise ValueError("only a rule lemmatizer that keeps existing lemmas can be memoised")
        fast = Lookups()
        for name in lemmatizer.lookups.tables:
            table = lemmatizer.lookups.get_table(name)
            sets = name == "lemma_index"
            fast.add_table(name, {k: frozenset(v) if sets else v for k, v in table.items()})
        self.lemmatizer = copy.copy(lemmatizer)  # (its bound ``lemmatize`` still points at the original)
        self.lemmatizer.lookups = fast
        self.lemmatizer.cache = {}
        self.cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        rows = doc.to_array(self.KEY).tolist()
        out = []
        cache = self.cache
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma:
                out.append(lemma)
                continue
            k = (orth, pos, morph)
            v = cache.get(k)
            if v is None:
                v = cache[k] = strings.add(self.lemmatizer.rule_lemmatize(doc[i])[0])
            out.append(v)
        doc.from_array([LEMMA], numpy.array(out, dtype="uint64"))
        return doc
