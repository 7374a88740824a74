"""The entry point: every pass over one Doc, then the cut to the cue's line and the error policy."""
from __future__ import annotations

import bisect

from spacy.tokens import Doc

from stream.nlp.attribution.passes import _dep_pass, _noun_pass, _headline_pass, _transcript_pass
from stream.nlp.attribution.quotes import _quote_pass, doc_quote_spans
from stream.nlp.attribution.syntax import RawAttribution, _trim, _Index, _root_in
from stream.nlp.errors import LENIENT, ErrorPolicy


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


def _extract(doc: Doc) -> list[RawAttribution]:
    if len(doc) == 0 or not doc.has_annotation("DEP"):
        return []
    text = doc.text
    quotes = doc_quote_spans(doc)
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
