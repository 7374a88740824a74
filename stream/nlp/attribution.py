"""Attribution extraction: who said what, pure Python over a parsed spaCy Doc.

``extract_attributions(doc)`` returns :class:`RawAttribution` records with
character offsets into ``doc.text`` (the article body exactly as received),
sorted by cue start, one per cue token. It never raises: odd input gives ``[]``.

Rules only, in four passes, linear in document length (every search is bounded by
a small window or by the sentence; ``Doc.text`` / ``Token.sent`` are computed once
because spaCy makes them O(len(doc)) per call):

1. quotation-driven: every quotation (“...”, "...", ''...'', ``...'') is paired
   within its paragraph; the text right after it (``, X said`` / ``, said X`` /
   ``― Name``) or right before it (``X said:`` / ``Said X:``) is searched for a
   cue verb. This survives the small parser mangling ``“...,” Chief Jordan said``.
   ``“A,” he said. “B.”`` gives one attribution whose content runs over both parts.
2. dependency-driven: a cue verb (``SPEECH_LEMMAS`` / ``POSITION_LEMMAS``) with a
   subject (nsubj; the passive agent; the subject of the governing verb for
   ``..., saying``, ``X denied it and said``, ``by telling``; the noun for
   ``a statement saying``) and a content: complement clause, object, quotation,
   ``X added:`` + next paragraph, the passive subject (``The plan was rejected by
   X``), or the rest of the sentence for a parenthetical ``Y, he said``. Plus
   ``according to X``. A passive subject is never the source.
3. noun cues with a possessor: ``Trump's claim that ...``.
4. transcript lines ``NAME: text``.

Speaker and content are then cut to the cue's line (parses that run a headline
into the first paragraph), and an attribution whose cue hangs off another one's
content (``He said he doubted ...``) is dropped.

Measured on PolNeAR dev (``/work/shared/eval/polnear.py score``): see
tests/test_attribution.py::test_polnear_source_f1.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from stream.nlp.errors import LENIENT, ErrorPolicy
from stream.nlp.lexicons.speech import (  # noqa: F401  (the cue lists: re-exported for callers)
    ADDRESSEE_VERBS,
    CUE_LEMMAS,
    DOCUMENT_NOUNS,
    NOUN_CUE_LEMMAS,
    POSITION_LEMMAS,
    QUOTE_CUES,
    SPEECH_LEMMAS,
    VERB_CUES,
)

__all__ = [
    "RawAttribution",
    "CUE_LEMMAS",
    "SPEECH_LEMMAS",
    "POSITION_LEMMAS",
    "NOUN_CUE_LEMMAS",
    "extract_attributions",
]


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
_TRANSCRIPT_RE = re.compile(
    r"(?m)^[ \t\"\u201c']*([A-Z][A-Za-z.'\- ]{0,40}[A-Za-z.])[ \t]*:[ \t]+(\S[^\n]*)"
)
# "Update: ..." heads a headline without being anyone's words
_HEADLINE_LABELS = frozenset(
    """
    update updated analysis exclusive watch opinion editorial breaking live video
    photos photo review explainer correction clarification factbox timeline
    interview commentary note listen read more related fact check first take
    """.split()
) | {"editor's note", "q&a", "fact check", "first take", "read more", "the latest"}
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




def extract_attributions(doc: Doc, *, article_id: str | None = None,
                         errors: ErrorPolicy = LENIENT) -> list[RawAttribution]:
    """Attributions in ``doc``, sorted by cue start, without duplicates.

    An error inside the rules is logged with ``article_id`` and counted (see
    :mod:`stream.nlp.errors`) and the article gets no attributions; with a strict
    policy it is raised.
    """
    try:
        return _extract(doc)
    except Exception as exc:  # noqa: BLE001 - odd input must not break the pipeline, but must be seen
        errors.failed("attribution", article_id, exc)
        return []


# --------------------------------------------------------------------------- quotes


def _quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """Pair quotation marks within a paragraph. Returns (start, end, closed) with the
    marks included; an unclosed quote runs to the end of its line (news style for a
    quotation continuing into the next paragraph). Linear."""
    out: list[tuple[int, int, bool]] = []
    n = len(text)
    open_at = -1
    open_kind = ""
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n":
            if open_at >= 0 and i - open_at > 2:
                out.append((open_at, i, False))
            open_at = -1
            i += 1
            continue
        two = text[i : i + 2]
        mark = ""
        width = 1
        if two == "''" or two == "``":
            mark, width = two, 2
        elif ch in "\u201c\u201d\"\u00ab\u00bb":
            mark = ch
        if not mark:
            i += 1
            continue
        if open_at < 0:
            if mark in ("\u201c", '"', "\u00ab", "``", "''"):
                open_at, open_kind = i, mark
            elif mark == "\u201d" and (i == 0 or text[i - 1] in "\n \t") and i + 1 < n and text[i + 1].isalnum():
                open_at, open_kind = i, "\u201c"  # a mistyped opening mark
        else:
            closes = (
                (mark in ("\u201d", '"') and open_kind in ("\u201c", '"'))
                or (mark == "\u00bb" and open_kind == "\u00ab")
                or (mark == "''" and open_kind in ("``", "''"))
            )
            if closes:
                if i - open_at > 1:
                    out.append((open_at, i + width, True))
                open_at = -1
            elif mark == open_kind and mark in ("\u201c", "``"):
                # a new opening mark: the previous one was never closed
                open_at = i
            elif i - open_at > _MAX_QUOTE:
                open_at = -1
        i += width
    if open_at >= 0 and n - open_at > 2:
        out.append((open_at, n, False))
    return out


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- passes


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


def _quote_pass(doc: Doc, quotes, ix: _Index, out: dict) -> None:
    text = ix.text
    n = len(doc)
    for qn, (qs, qe, closed) in enumerate(quotes):
        # -- look right: “...,” X said / “...,” said X / “...” ― Name
        j = ix.tok_at_or_after(qe)
        found = False
        if closed and j < n:
            # dash attribution at line end
            p = qe
            while p < len(text) and text[p] in " \t\u00a0":
                p += 1
            dash_w = 2 if text[p : p + 2] == "--" else (1 if p < len(text) and text[p] in _DASHES else 0)
            if dash_w:
                j = ix.tok_at_or_after(p + dash_w)
                if j > 0 and doc[j - 1].idx + len(doc[j - 1].text) > p + dash_w:
                    j -= 1  # the dash token also holds the name's first letters
                    dash_w = 0
            if dash_w and j < n:
                run = _np_run_after(doc, j, 8, ix)
                if run is not None and doc[run[0]].is_title:
                    lo, hi = run
                    head = _head_in(doc, lo, hi)
                    cs, ce = _strip_marks(text, qs, qe)
                    if ce > cs:
                        cue = (p, p + dash_w)
                        dash_tok = max(0, ix.tok_before(p + 1))  # the token holding the dash
                        out.setdefault(
                            cue, RawAttribution((doc[lo].idx, _tok_end(doc[hi])), cue, (cs, ce), "direct", head, dash_tok, None)
                        )
                        found = True
            j = ix.tok_at_or_after(qe)
            k = j
            limit = min(n, j + 12) if _quote_ends_clause(text, qs, qe, doc[j].idx if j < n else qe) else j
            while not found and k < limit:
                t = doc[k]
                if ix.quote_of[k] >= 0 or "\n" in t.text or t.text in (".", "!", "?", ";"):
                    break
                if t.lemma_.lower() in QUOTE_CUES and t.pos_ in ("VERB", "AUX"):
                    spk = None
                    subj = _subject(t)
                    if subj is not None and ix.quote_of[subj.i] < 0 and abs(subj.i - k) <= 12 and subj.i >= j:
                        spk = _speaker_of(subj)
                    elif k > j:
                        # tokens between the quote and the verb
                        lo = j
                        while lo < k and (doc[lo].is_punct or doc[lo].is_space):
                            lo += 1
                        if lo < k and _nominal_run(doc, lo, k - 1):
                            hi = k - 1
                            spk = ((doc[lo].idx, _tok_end(doc[hi])), _head_in(doc, lo, hi))
                    if spk is None:
                        run = _np_run_after(doc, k + 1, 12, ix)
                        if run is not None:
                            lo, hi = run
                            spk = ((doc[lo].idx, _tok_end(doc[hi])), _head_in(doc, lo, hi))
                    if spk is not None:
                        # “A,” he said. “B.” -> the content runs over both parts
                        ce_full = qe
                        nxt = quotes[qn + 1] if qn + 1 < len(quotes) else None
                        if nxt is not None:
                            between = text[qe : nxt[0]]
                            if "\n" not in between and len(between) < 120 and not any(
                                m in between[: between.find(t.text) if t.text in between else 0] for m in ".!?"
                            ):
                                ce_full = nxt[1]
                        cs, ce = _strip_marks(text, qs, qe)
                        if ce_full != qe:
                            ce = _strip_marks(text, qs, ce_full)[1]
                        if ce > cs:
                            cue = _cue_span(t)
                            out.setdefault(cue, RawAttribution(spk[0], cue, (cs, ce), "direct", spk[1], t.i, None))
                    found = True
                    break
                k += 1
        if found:
            continue
        # -- look left: X said: “...” / X said, “...”
        j = ix.tok_before(qs)
        k = j
        gap_lo = _tok_end(doc[j]) if j >= 0 else qs
        lead = text[max(0, gap_lo - 1) : qs]
        if not (":" in lead or "," in lead or len(text[qs:qe].split()) >= 4):
            continue
        lo_limit = max(0, j - 4)
        while k >= lo_limit and k >= 0:
            t = doc[k]
            if ix.quote_of[k] >= 0 or "\n" in t.text:
                break
            if t.lemma_.lower() in QUOTE_CUES and t.pos_ in ("VERB", "AUX"):
                comp = _content_child(t)
                if comp is not None and comp.left_edge.idx < qs - 2:
                    break  # "said Kyiv wanted guarantees “with real force”": indirect, partly quoted
                subj = _subject(t)
                spk = None
                if subj is not None and ix.quote_of[subj.i] < 0:
                    spk = _speaker_of(subj)
                elif k < j:
                    # inverted: Said Ellis: “...”
                    run = _np_run_after(doc, k + 1, j - k, ix)
                    if run is not None and _nominal_run(doc, run[0], run[1]):
                        spk = ((doc[run[0]].idx, _tok_end(doc[run[1]])), _head_in(doc, run[0], run[1]))
                if spk is not None:
                    cs, ce = _strip_marks(text, qs, qe)
                    if ce > cs:
                        cue = (t.idx, _tok_end(t)) if subj is None else _cue_span(t)
                        out.setdefault(cue, RawAttribution(spk[0], cue, (cs, ce), "direct", spk[1], t.i, None))
                break
            k -= 1


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


def _according_to(doc: Doc, tok: Token, ix: _Index, out: dict) -> None:
    text = ix.text
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if nxt is None or nxt.lower_ != "to":
        return
    src = next((c for c in nxt.children if c.dep_ == "pobj"), None)
    if src is None:
        # parser did not attach it: take the noun run after "to"
        k = tok.i + 2
        while k < len(doc) and doc[k].pos_ in ("DET", "PROPN", "NOUN", "ADJ", "PART", "NUM", "PRON") and k < tok.i + 10:
            k += 1
        if k == tok.i + 2:
            return
        src = doc[_head_in(doc, tok.i + 2, k - 1)]
    s_start, s_end = ix.sent_chars(tok.i)
    phrase_lo = tok.i
    phrase_hi = max(nxt.i, src.right_edge.i)
    # content: the rest of the sentence on the side that has more of it
    before = (s_start, doc[phrase_lo].idx)
    after = (_tok_end(doc[phrase_hi]), s_end)
    head = tok.head
    if head is not tok and head.i < phrase_lo and before[1] - before[0] > 8:
        cs, ce = before
    elif head is not tok and head.i > phrase_hi and after[1] - after[0] > 8:
        cs, ce = after
    else:
        cs, ce = after if (after[1] - after[0]) >= (before[1] - before[0]) else before
    cs, ce = _trim(text, cs, ce, final=True)
    if ce - cs < 3:
        return
    cue = (tok.idx, _tok_end(nxt))
    croot = _root_in(doc, ix, cs, ce)
    out.setdefault(cue, RawAttribution(_speaker_span(src), cue, (cs, ce), "indirect", src.i, tok.i, croot))


def _colon_block(text: str, ix: _Index, tok: Token) -> tuple[int, int] | None:
    """``X added:`` at the end of a line introduces the next paragraph as content."""
    doc = tok.doc
    k = tok.i + 1
    # allow a short tail: "said on Tuesday:" / "told reporters:"
    while k < len(doc) and k <= tok.i + 6 and doc[k].text != ":" and "\n" not in doc[k].text:
        k += 1
    if k >= len(doc) or doc[k].text != ":":
        return None
    p = _tok_end(doc[k])
    while p < len(text) and text[p] in " \t\u00a0":
        p += 1
    if p >= len(text) or text[p] != "\n":
        return None
    while p < len(text) and text[p].isspace():
        p += 1
    e = text.find("\n", p)
    if e < 0:
        e = len(text)
    cs, ce = _strip_marks(text, p, e)
    return (cs, ce) if ce - cs >= 3 else None


def _dep_pass(doc: Doc, ix: _Index, quotes, out: dict, claimed: set[int]) -> None:
    text = ix.text
    for tok in doc:
        if tok.lower_ == "according":
            if ix.quote_of[tok.i] < 0:
                _according_to(doc, tok, ix, out)
            continue
        lemma = tok.lemma_.lower()
        if tok.pos_ not in ("VERB", "AUX") or tok.i in claimed or ix.quote_of[tok.i] >= 0:
            continue  # (a verb inside a quotation is part of someone's words)
        if lemma not in VERB_CUES:
            continue
        spk = _subject(tok)
        if spk is None or ix.quote_of[spk.i] >= 0 or spk.pos_ not in ("PROPN", "NOUN", "PRON", "NUM", "X"):
            continue
        if spk.lower_ in ("it", "there") and lemma not in ("say", "report", "show", "find"):
            continue
        content_tok = _content_child(tok)
        kind = "indirect"
        cspan = None
        croot = None
        block = _colon_block(text, ix, tok) if lemma in SPEECH_LEMMAS else None
        if block is not None:
            # "X added:" closing a line introduces the next paragraph, verbatim
            cspan, kind, content_tok = block, "direct", None
        elif content_tok is not None:
            croot = content_tok.i
            q = ix.quote_of[content_tok.i]
            sub_lo = content_tok.left_edge.idx
            if q >= 0 and quotes[q][0] <= sub_lo + 2:
                kind = "direct"
                cspan = _strip_marks(text, quotes[q][0], quotes[q][1])
            else:
                cspan = _trim(text, content_tok.left_edge.idx, _tok_end(content_tok.right_edge))
                if content_tok.dep_ in ("dobj", "attr", "oprd", "pobj", "pcomp") or (
                    content_tok.dep_ == "xcomp" and lemma in POSITION_LEMMAS
                ):
                    kind = "reported"
        if cspan is None and content_tok is None and spk.head.dep_ == "agent":
            # passive: "Trump is supported by few papers" / "a plan promoted by X"
            pas = next((c for c in tok.children if c.dep_ in ("nsubjpass", "csubjpass")), None)
            if pas is not None:
                content_tok = pas
            elif tok.dep_ == "acl" and tok.head.i < tok.i:
                content_tok = tok.head
            if content_tok is not None:
                if content_tok is tok.head:
                    cspan = _trim(text, content_tok.left_edge.idx, _tok_end(content_tok))
                else:
                    cspan = _trim(text, content_tok.left_edge.idx, _tok_end(content_tok.right_edge))
                croot = content_tok.i
                kind = "reported"
        if cspan is None and content_tok is None and lemma in SPEECH_LEMMAS and lemma not in ("find", "show", "know", "learn", "hear", "read"):
            # parenthetical: "X, he said, Y" / "Y, he said." -> the rest of the sentence
            s_start, s_end = ix.sent_chars(tok.i)
            if tok.dep_ == "ROOT" or tok.head is tok:
                # the report is the main clause: its core is subject + verb + modifiers;
                # conjuncts / clauses hanging off it are what was said
                lo = hi = tok.i
                for c in tok.children:
                    if c.dep_ in ("nsubj", "aux", "neg", "advmod", "npadvmod", "prep", "dative", "dobj", "prt"):
                        lo, hi = min(lo, c.left_edge.i), max(hi, c.right_edge.i)
            else:
                lo, hi = tok.left_edge.i, tok.right_edge.i
            for c in (spk,):
                lo, hi = min(lo, c.left_edge.i), max(hi, c.right_edge.i)
            before = (s_start, doc[lo].idx)
            after = (_tok_end(doc[hi]), s_end)
            if before[1] - before[0] > 8 and after[1] - after[0] > 8:
                cs, ce = s_start, s_end  # "The talks, he said, were productive."
            else:
                cs, ce = after if (after[1] - after[0]) > (before[1] - before[0]) else before
            cs, ce = _trim(text, cs, ce, final=True)
            if ce - cs >= 12:
                cspan = (cs, ce)
                croot = _root_in(doc, ix, cs, ce)
        if cspan is None or cspan[1] <= cspan[0]:
            continue
        cue = _cue_span(tok)
        sp, sr = _speaker_of(spk)
        out.setdefault(cue, RawAttribution(sp, cue, cspan, kind, sr, tok.i, croot))


def _noun_pass(doc: Doc, ix: _Index, out: dict) -> None:
    """``Trump's claim that ...`` / ``the senator's call for ...`` / ``Merkel's decision to ...``."""
    text = ix.text
    for tok in doc:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in NOUN_CUE_LEMMAS or ix.quote_of[tok.i] >= 0:
            continue
        spk = None
        content = None
        for c in tok.children:
            if c.dep_ == "poss" and c.pos_ in _NOMINAL and c.lower_ not in ("its",):
                spk = c
            elif c.dep_ in ("acl", "ccomp", "relcl") and c.i > tok.i and content is None:
                if c.dep_ == "relcl" and not any(g.dep_ == "mark" for g in c.children):
                    continue
                content = c
            elif c.dep_ == "prep" and c.lower_ in ("for", "of", "about", "on", "against", "to", "that") and content is None:
                g = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
                if g is not None:
                    content = g
        if spk is None or content is None:
            continue
        cs, ce = _trim(text, content.left_edge.idx, _tok_end(content.right_edge))
        if ce - cs < 3:
            continue
        cue = (tok.idx, _tok_end(tok))
        sp, sr = _speaker_of(spk)
        out.setdefault(cue, RawAttribution(sp, cue, (cs, ce), "reported", sr, tok.i, content.i))


def _headline_verb(word: str) -> bool:
    """A present-tense headline verb: ``Says``, ``Vows``, ``Urges``, ``Slams``."""
    w = word.lower()
    return len(w) > 3 and w.endswith("s") and (w[:-1] in VERB_CUES or (w.endswith("es") and w[:-2] in VERB_CUES))


def _headline_pass(doc: Doc, ix: _Index, out: dict) -> None:
    """Title-case headline ``Sanders Vows To Eliminate Tax Breaks``: the small parser
    tags such words as proper nouns, so read the first line by shape: a capitalised
    run, then a cue word, then the rest of the line."""
    text = ix.text
    head_end = text.find("\n")
    head_end = len(text) if head_end < 0 else head_end
    if head_end > 300:
        return
    first = 0
    while first < len(doc) and doc[first].is_space:
        first += 1
    end_tok = ix.tok_at_or_after(head_end)
    if any(a.cue[0] < head_end for a in out.values()):
        return
    for k in range(first + 1, min(end_tok, first + 10)):
        t = doc[k]
        if not _headline_verb(t.text):
            continue
        if not all(x.is_title or x.is_upper or x.is_punct or not x.is_alpha for x in doc[first:k]):
            break
        if k + 1 >= end_tok:
            break
        cs, ce = _trim(text, doc[k + 1].idx, head_end, final=True)
        if ce - cs < 3:
            break
        sp = (doc[first].idx, _tok_end(doc[k - 1]))
        cue = (t.idx, _tok_end(t))
        out.setdefault(cue, RawAttribution(sp, cue, (cs, ce), "indirect", _head_in(doc, first, k - 1), k, k + 1))
        break


def _transcript_pass(doc: Doc, ix: _Index, out: dict) -> None:
    text = ix.text
    if ":" not in text:
        return
    for m in _TRANSCRIPT_RE.finditer(text):
        name = m.group(1).strip()
        if len(name) < 2 or not any(c.isalpha() for c in name):
            continue
        if not name.isupper():
            # "Pence: ..." only when the name is a person / organisation mention
            ti = ix.tok_at_or_after(m.start(1))
            tj = ix.tok_at_or_after(m.start(1) + len(name))
            if ti >= len(doc) or len(name.split()) > 4:
                continue
            headline = "\n" not in text[: m.start(1)].strip()  # "Pence: ..." as the title line
            if not all(t.ent_type_ in _ANIMATE_ENTS for t in doc[ti:tj] if t.is_alpha) and not (
                headline and name.lower() not in _HEADLINE_LABELS and all(w[0].isupper() for w in name.split())
            ):
                continue
        colon = text.index(":", m.end(1))
        cs, ce = _trim(text, m.start(2), m.end(2))
        if ce <= cs:
            continue
        ti = min(ix.tok_at_or_after(m.start(1)), len(doc) - 1)
        ci = min(ix.tok_at_or_after(colon), len(doc) - 1)
        cr = min(ix.tok_at_or_after(cs), len(doc) - 1)
        cue = (colon, colon + 1)
        out.setdefault(cue, RawAttribution((m.start(1), m.start(1) + len(name)), cue, (cs, ce), "direct", ti, ci, cr))


def _extract(doc: Doc) -> list[RawAttribution]:
    if len(doc) == 0 or not doc.has_annotation("DEP"):
        return []
    text = doc.text
    quotes = _quote_spans(text)
    ix = _Index(doc, text, quotes)
    out: dict[tuple[int, int], RawAttribution] = {}
    _quote_pass(doc, quotes, ix, out)
    claimed = {a.cue_root for a in out.values()}
    _dep_pass(doc, ix, quotes, out, claimed)
    _noun_pass(doc, ix, out)
    _transcript_pass(doc, ix, out)
    _headline_pass(doc, ix, out)

    atts = _clip_to_line(doc, ix, list(out.values()))
    # Drop attributions nested in the content of another one ("He said he doubted ...").
    by_cue = {}
    for a in atts:
        by_cue.setdefault(a.cue_root, a)
    keep = []
    for a in atts:
        cue_tok = doc[a.cue_root]
        t = cue_tok
        nested = False
        for _ in range(40):
            if t.head is t:
                break
            t = t.head
            outer = by_cue.get(t.i)
            if outer is not None and outer is not a and outer.content[0] <= cue_tok.idx < outer.content[1]:
                nested = True
                break
        if not nested:
            keep.append(a)
    # one attribution per cue token (the quote pass wins; it is first in ``out``)
    seen: set[int] = set()
    final = []
    for a in keep:
        if a.cue_root in seen:
            continue
        seen.add(a.cue_root)
        final.append(a)
    final.sort(key=lambda a: (a.cue[0], a.cue[1], a.content[0]))
    return final


def _clip_to_line(doc: Doc, ix: _Index, atts: list[RawAttribution]) -> list[RawAttribution]:
    """Keep speaker and content on the cue's line: a parse that runs over a line break
    (headline glued to the first paragraph) is cut there. Quotations introduced by
    ``X said:`` may start on the next line, so direct content is left alone."""
    text = ix.text
    spk_starts = ix.starts
    if "\n" not in text:
        return atts
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    n = len(text)
    kept = []
    for a in atts:
        k = bisect.bisect_left(breaks, a.cue[0])
        lo = breaks[k - 1] + 1 if k > 0 else 0
        hi = breaks[k] if k < len(breaks) else n
        sp = a.speaker
        if sp[1] <= lo or sp[0] >= hi:
            continue
        sp = (max(sp[0], lo), min(sp[1], hi))
        if sp != a.speaker:
            root = spk_starts[a.speaker_root] if a.speaker_root < len(spk_starts) else -1
            if not (sp[0] <= root < sp[1]):
                continue  # the speaker head is on another line
        cs, ce = a.content
        if a.kind != "direct":
            if ce <= lo or cs >= hi:
                continue
            cs, ce = _trim(text, max(cs, lo), min(ce, hi))
            if not any(ch.isalnum() for ch in text[cs:ce]):
                continue
        if sp != a.speaker or (cs, ce) != a.content:
            croot = a.content_root
            if croot is not None and not (cs <= spk_starts[croot] < ce):
                croot = _root_in(doc, ix, cs, ce)
            a = RawAttribution(sp, a.cue, (cs, ce), a.kind, a.speaker_root, a.cue_root, croot)
        kept.append(a)
    return kept
