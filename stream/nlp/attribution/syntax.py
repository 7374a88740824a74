"""What every pass shares: the RawAttribution record, span and subject helpers over the parse, the token index."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from stream.nlp.lexicons.speech import ADDRESSEE_VERBS, DOCUMENT_NOUNS, QUOTE_CUES, SPEECH_LEMMAS


@dataclass(frozen=True, slots=True)
class RawAttribution:
    speaker: tuple[int, int]   # char offsets into doc.text of the source as written
    cue: tuple[int, int]       # the cue verb/phrase
    content: tuple[int, int]   # what was said/held
    kind: str                  # "direct" | "indirect" | "reported"
    speaker_root: int          # doc token index of the speaker head
    cue_root: int              # doc token index of the cue's main token
    content_root: int | None   # doc token index of the content head, None for a bare quote


_NOMINAL = frozenset({"PROPN", "NOUN", "PRON", "NUM", "X"})

_DASHES = "\u2015\u2014\u2013"

_EDGE_PUNCT = ",;:-" + _DASHES

_SPEAKER_STOP_WORDS = frozenset(
    "on in at during after before late early this last yesterday today tonight "
    "earlier later then also again recently once in".split()
)

_TIME_ENTS = frozenset({"DATE", "TIME"})

_MAX_QUOTE = 3000

_MAX_SPEAKER_TOKENS = 40

_ANIMATE_PRON = frozenset("he she they we i you who".split())

_ANIMATE_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def _animate(t: Token) -> bool:
    if t.pos_ == "PRON":
        return t.lower_ in _ANIMATE_PRON
    if t.ent_type_ in _ANIMATE_ENTS:
        return True
    return False


def _tok_end(t: Token) -> int:
    return t.idx + len(t.text)


def _trim(text: str, start: int, end: int, final: bool = False) -> tuple[int, int]:
    """Strip whitespace and edge punctuation; ``final`` also drops a sentence-final
    period (content cut from a sentence rather than a parse subtree)."""
    tail = _EDGE_PUNCT + ".!?" if final else _EDGE_PUNCT
    while start < end and (text[start].isspace() or text[start] in _EDGE_PUNCT):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in tail):
        end -= 1
    return start, end


def _strip_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """Content of a quotation: without the marks and edge punctuation."""
    s, e = start, end
    while s < e and (text[s] in "\u201c\u201d\"'`\u00ab\u00bb" or text[s].isspace()):
        s += 1
    while e > s and (text[e - 1] in "\u201c\u201d\"'`\u00ab\u00bb" or text[e - 1].isspace()):
        e -= 1
    return _trim(text, s, e)


def _speaker_span(tok: Token) -> tuple[int, int]:
    """The speaker noun phrase: left edge of the subtree up to the head, plus right
    modifiers that belong to the name (compound, ``(R-Utah)``), not relative clauses,
    appositions or prepositional phrases."""
    doc = tok.doc
    left = max(tok.left_edge.i, tok.i - _MAX_SPEAKER_TOKENS)
    # stay on the head's line and do not start with punctuation
    for k in range(tok.i - 1, left - 1, -1):
        if "\n" in doc[k].text:
            left = k + 1
            break
    while left < tok.i and (doc[left].is_punct or doc[left].is_space):
        left += 1
    right = tok.i
    if tok.tag_ == "DT" and tok.i + 1 < len(doc):
        # mis-tagged determiner subject: "The NUCT rejected" -> "The NUCT"
        k = tok.i + 1
        while k < len(doc) and k <= tok.i + 4 and (doc[k].pos_ in ("PROPN", "NOUN") or doc[k].is_upper) and doc[k].is_alpha:
            right = k
            k += 1
    for c in tok.rights:
        if c.dep_ in ("compound", "flat", "nummod", "case") or (c.dep_ == "appos" and c.i == right + 1):
            right = max(right, c.right_edge.i)
        elif c.dep_ == "prep" and c.lower_ == "of" and c.i == right + 1:
            right = max(right, c.right_edge.i)
        else:
            break
    return doc[left].idx, _tok_end(doc[right])


def _cue_span(tok: Token) -> tuple[int, int]:
    lo = hi = tok.i
    for c in tok.children:
        if c.dep_ in ("aux", "auxpass", "neg") and tok.i - 3 <= c.i < tok.i:
            lo = min(lo, c.i)
        elif c.dep_ == "prt" and tok.i < c.i <= tok.i + 2:
            hi = max(hi, c.i)
        elif c.dep_ == "prep" and c.lower_ in ("for", "on") and c.i == tok.i + 1 and tok.lemma_ == "call":
            hi = c.i
    doc = tok.doc
    # keep only a contiguous run ending at the verb
    while lo < tok.i and doc[lo].is_punct:
        lo += 1
    return doc[lo].idx, _tok_end(doc[hi])


def _subject(verb: Token) -> Token | None:
    """Subject of a cue verb: nsubj, passive agent, or (for ``..., saying``, ``X denied
    it and said``, ``X wants to ...``) the subject of the governing verb."""
    t = verb
    for _ in range(4):
        subj = None
        for c in t.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g
            elif c.dep_ in ("nsubj", "nsubjpass") and (
                subj is None or (c.pos_ in _NOMINAL and (subj.pos_ not in _NOMINAL or c.i > subj.i))
            ):
                subj = c  # the nominal subject nearest the verb ("12:15 p.m. Trump says")
        if subj is not None:
            if subj.dep_ == "nsubjpass":
                return None  # "X was asked / is expected to": X is not the source
            return subj
        dep = t.dep_
        if dep == "pcomp" and t.tag_ == "VBG" and t.head.dep_ == "prep" and t.head.head is not t.head:
            # "pitched himself ... by telling them that ..." -> the subject of "pitched"
            t = t.head.head
            continue
        if dep in ("conj", "xcomp", "advcl") and t.head is not t:
            if dep == "advcl" and t.tag_ != "VBG":
                return None
            head = t.head
            if dep == "xcomp":
                # object control: "urged Stumpf to admit" -> Stumpf
                obj = next((c for c in head.children if c.dep_ == "dobj"), None)
                if obj is not None:
                    return obj
            t = head
            continue
        if dep == "acl" and t.tag_ == "VBG" and t.head is not t and verb.lemma_ in QUOTE_CUES:
            # "a statement saying ..." -> the noun (a text, or a person/organisation)
            h = t.head
            if h.lemma_.lower() in DOCUMENT_NOUNS or _animate(h):
                return h
            return None
        break
    # parser lost the subject ("... of the Washington Post Trump said that ..."):
    # a name or pronoun right before a finite cue verb
    if verb.tag_ in ("VBD", "VBZ", "VBP") and verb.i > 0:
        prev = verb.doc[verb.i - 1]
        if prev.pos_ == "PROPN" or (prev.pos_ == "PRON" and prev.lower_ in _ANIMATE_PRON):
            return prev
    return None


def _speaker_of(subj: Token) -> tuple[tuple[int, int], int]:
    """Speaker span and head for a subject token. A relative pronoun ("Mr. Kamin, who
    said") stands for the noun it modifies: the span runs from that noun to the pronoun."""
    if subj.tag_ in ("WP", "WDT") and subj.head.dep_ == "relcl":
        noun = subj.head.head
        if noun.i < subj.i and subj.i - noun.i <= 25:
            lo, _ = _speaker_span(noun)
            return (lo, _tok_end(subj)), noun.i
    return _speaker_span(subj), subj.i


def _weak_object(t: Token) -> bool:
    """An object that carries no content: a bare pronoun / wh-word or a date."""
    if t.ent_type_ in _TIME_ENTS:
        return True
    if t.pos_ == "PRON" or t.tag_ in ("WP", "WDT"):
        return t.left_edge.i == t.right_edge.i
    return False


def _content_child(verb: Token) -> Token | None:
    best = None
    rank = 9
    addressee = verb.lemma_.lower() in ADDRESSEE_VERBS
    speech = verb.lemma_.lower() in SPEECH_LEMMAS
    for c in verb.children:
        d = c.dep_
        if d == "ccomp" or (d == "parataxis" and c.i > verb.i):
            if c.i > verb.i:
                return c
            if rank > -1:
                best, rank = c, -1  # a complement before the verb: keep looking right
        if d == "advcl" and c.i > verb.i and speech and rank > 0 and any(g.dep_ == "nsubj" for g in c.children):
            # mis-parsed complement: "said after the convention he would not accept ..."
            mark = next((g for g in c.children if g.dep_ == "mark"), None)
            if mark is None or mark.lower_ == "that":
                best, rank = c, 0
        if d == "xcomp" and rank > 1:
            best, rank = c, 1
        elif d in ("dobj", "attr", "oprd") and rank > 2 and not addressee and not _weak_object(c):
            best, rank = c, 2
        elif d == "prep" and rank > 3 and c.lower_ in ("for", "on", "about", "of", "against"):
            for g in c.children:
                if g.dep_ in ("pobj", "pcomp") and not _weak_object(g):
                    best, rank = g, 3
                    break
    return best


class _Index:
    """Char <-> token lookups and per-token quote membership, built once (linear)."""

    def __init__(self, doc: Doc, text: str, quotes: list[tuple[int, int, bool]]):
        self.doc = doc
        self.text = text
        # sentence bounds per token (token indices, end exclusive); Token.sent and
        # Doc.text are O(len(doc)) per call in spaCy, so compute them once.
        self.sent_lo = [0] * len(doc)
        self.sent_hi = [0] * len(doc)
        for sent in doc.sents:
            for k in range(sent.start, sent.end):
                self.sent_lo[k] = sent.start
                self.sent_hi[k] = sent.end
        self.starts = [t.idx for t in doc]
        self.quote_of = [-1] * len(doc)
        qi = 0
        for t in doc:
            while qi < len(quotes) and quotes[qi][1] <= t.idx:
                qi += 1
            if qi < len(quotes) and quotes[qi][0] <= t.idx < quotes[qi][1]:
                self.quote_of[t.i] = qi

    def sent_chars(self, i: int) -> tuple[int, int]:
        lo, hi = self.sent_lo[i], self.sent_hi[i] - 1
        return self.doc[lo].idx, _tok_end(self.doc[hi])

    def tok_at_or_after(self, char: int) -> int:
        return bisect.bisect_left(self.starts, char)

    def tok_before(self, char: int) -> int:
        return bisect.bisect_left(self.starts, char) - 1


def _np_run_after(doc: Doc, i: int, limit: int, ix: _Index) -> tuple[int, int] | None:
    """Speaker after an inverted cue: ``said Rep. G.K. Butterfield (D-N.C.), head ...``."""
    j = i
    end = min(len(doc), i + limit)
    while j < end and (doc[j].ent_type_ in _TIME_ENTS or doc[j].lower_ in _SPEAKER_STOP_WORDS or (doc[j].is_space and "\n" not in doc[j].text)):
        j += 1
    k = j
    while k < end:
        t = doc[k]
        if t.text in (",", ".", ";", ":", "!", "?") and not (t.text == "." and k > j and doc[k - 1].pos_ == "PROPN" and len(doc[k - 1].text) <= 3):
            break
        if ix.quote_of[k] >= 0 or t.is_space or t.pos_ in ("VERB", "AUX", "SCONJ", "CCONJ") or "\n" in t.text:
            break
        if t.pos_ == "ADP" and t.lower_ != "of":
            break
        k += 1
    if k == j:
        return None
    return j, k - 1


def _head_in(doc: Doc, lo: int, hi: int) -> int:
    """Syntactic head of a token run (the token whose head lies outside the run)."""
    for t in doc[lo : hi + 1]:
        if not (lo <= t.head.i <= hi) or t.head is t:
            if t.pos_ in ("PROPN", "NOUN", "PRON"):
                return t.i
    for t in reversed(doc[lo : hi + 1]):
        if t.pos_ in ("PROPN", "NOUN", "PRON"):
            return t.i
    return hi


def _quote_ends_clause(text: str, qs: int, qe: int, next_tok: int) -> bool:
    """“...,” X said: the quotation closes a clause (punctuation just inside or just
    after the closing mark), rather than being a scare-quoted word in running text."""
    e = qe
    while e > qs and text[e - 1] in "\u201c\u201d\"'`\u00ab\u00bb":
        e -= 1
    if e > qs and text[e - 1] in ",.!?:;\u2014\u2013\u2015-\u2026":
        return True
    after = text[qe:next_tok].strip() + text[next_tok : next_tok + 1]
    return bool(after) and after[0] in ",\u2014\u2013\u2015"


def _nominal_run(doc: Doc, lo: int, hi: int) -> bool:
    """A short noun phrase: has a noun/pronoun and no verb, conjunction or clause marker."""
    if hi - lo > 10:
        return False
    has_noun = False
    for t in doc[lo : hi + 1]:
        if "\n" in t.text or (t.pos_ in ("VERB", "AUX", "CCONJ", "SCONJ") and not (t.is_title and t.pos_ == "VERB")):
            return False  # (a capitalised "verb" after a quotation is a mis-tagged name)
        if t.pos_ in ("PROPN", "NOUN", "PRON"):
            has_noun = True
    return has_noun


def _root_in(doc: Doc, ix: _Index, cs: int, ce: int) -> int | None:
    """Head token of a char range: from its first token, climb while the head stays inside."""
    i = ix.tok_at_or_after(cs)
    if i >= len(doc) or doc[i].idx >= ce:
        return None
    t = doc[i]
    for _ in range(60):
        h = t.head
        if h is t or not (cs <= h.idx < ce):
            break
        t = h
    return t.i
