"""Pass 1, quotation-driven: quotations paired within their paragraph, and the cue next to each."""
from __future__ import annotations

from spacy.tokens import Doc

from stream.nlp.attribution.syntax import (
    RawAttribution,
    _DASHES,
    _MAX_QUOTE,
    _tok_end,
    _strip_marks,
    _cue_span,
    _subject,
    _speaker_of,
    _content_child,
    _Index,
    _np_run_after,
    _head_in,
    _quote_ends_clause,
    _nominal_run,
)
from stream.nlp.lexicons.speech import QUOTE_CUES


def doc_quote_spans(doc: Doc) -> list[tuple[int, int, bool]]:
    """:func:`_quote_spans` of ``doc``'s text, paired once per Doc: the attribution rules, the
    tagger's features and the gender evidence all read the same quotations."""
    spans = doc.user_data.get("stance_quote_spans")
    if spans is None:
        spans = doc.user_data["stance_quote_spans"] = _quote_spans(doc.text)
    return spans


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
