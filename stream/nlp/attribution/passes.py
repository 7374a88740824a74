"""Passes 2-4: dependency-driven cues (and "according to"), noun cues, headlines and transcript lines."""
from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from stream.nlp.attribution.syntax import (
    RawAttribution,
    _NOMINAL,
    _ANIMATE_ENTS,
    _tok_end,
    _trim,
    _strip_marks,
    _speaker_span,
    _cue_span,
    _subject,
    _speaker_of,
    _content_child,
    _Index,
    _head_in,
    _root_in,
)
from stream.nlp.lexicons.speech import NOUN_CUE_LEMMAS, POSITION_LEMMAS, SPEECH_LEMMAS, VERB_CUES


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
