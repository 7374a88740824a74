"""The learned attribution component: a spaCy tagger trained on PolNeAR, decoded into attributions.

Why learned: the rules (:mod:`.extract`) are precise but miss a third of real
attributions (cues outside the lexicons, nominal cues, contents running over
sentences). The tagger (config: ``tagger.cfg`` beside this file; features:
:mod:`.features`; data: :mod:`.corpus`) labels every token O / B-,I- x SRC, CUE, CON.
:func:`decode` turns the tags into attributions: each content run is linked to the
nearest cue in its paragraph, each cue to the source the parse or the tags give it.

The tagger never writes into the Doc: the worker's Doc keeps spaCy's own tags, and
only the tagger's scores are read (``model.predict``). The weights ship in
``stream/nlp/data/attribution-tagger/`` and load offline; ``stance train attribution``
rebuilds them. :func:`combine` merges them with the rules' attributions: see
``STANCE_ATTRIBUTION`` in :mod:`stream.settings`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy
from spacy.tokens import Doc

from stream.nlp.attribution import features as _features  # noqa: F401 - registers the embedding layer
from stream.nlp.attribution.syntax import RawAttribution

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "attribution-tagger"
CONFIG = Path(__file__).resolve().parent / "tagger.cfg"

_QUOTE_OPEN = "\u201c\"\u00ab'`"
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "agent", "csubj"})
_MAX_LINK = 80  # tokens between a content run and the cue it is linked to


@dataclass(frozen=True, slots=True)
class DecodeConfig:
    """How tags become attributions. ``min_tokens``: shorter content runs are dropped unless
    quoted (a lone tagged word is noise far more often than a content); ``min_prob``: the mean
    content probability a run needs; ``syntax``: link by the parse first (the content's
    governing cue, the cue's subject), by distance only where it gives nothing; a cue's source
    is in the cue's sentence, or touches the cue across a sentence cut (measured on held-out
    articles: joining content runs two tokens apart, sources from further away and a
    source-probability floor did not help)."""

    min_tokens: int = 3
    min_prob: float = 0.6
    syntax: bool = True
    subject_fallback: bool = True
    cueless: bool = True  # a content with no tagged cue takes its sentence's source, the verb as cue


@dataclass(frozen=True, slots=True)
class TagSpan:
    """A run of tokens with one role: ``role`` in SRC / CUE / CON, tokens ``start`` .. ``end - 1``."""

    role: str
    start: int
    end: int


def runs(doc: Doc, tags: list[str]) -> list[TagSpan]:
    """Contiguous runs of one role (a ``B-`` tag or a change of role starts a new run;
    whitespace tokens and line breaks end one)."""
    out: list[TagSpan] = []
    cur_role, cur_start = "", -1
    for i, tag in enumerate(tags + ["O"]):
        tok = doc[i] if i < len(doc) else None
        role = tag[2:] if tag != "O" and tok is not None and not tok.is_space else ""
        begins = tag.startswith("B-")
        if cur_role and (role != cur_role or begins):
            out.append(TagSpan(cur_role, cur_start, i))
            cur_role = ""
        if role and not cur_role:
            cur_role, cur_start = role, i
    return out


def _paragraph_of(doc: Doc) -> list[int]:
    """Paragraph number of every token (a whitespace token holding a line break ends one)."""
    par, out = 0, []
    for t in doc:
        out.append(par)
        if t.is_space and "\n" in t.text:
            par += 1
    return out


def _chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    first, last = doc[start], doc[end - 1]
    return first.idx, last.idx + len(last.text)


def _root(doc: Doc, start: int, end: int) -> int:
    return doc[start:end].root.i


def _subject_span(doc: Doc, cue_root: int) -> TagSpan | None:
    """The cue verb's grammatical subject, when the tags gave it no source."""
    tok = doc[cue_root]
    for child in tok.children:
        if child.dep_ in _SUBJECTS and child.pos_ in ("PROPN", "NOUN", "PRON"):
            sub = list(child.subtree)
            return TagSpan("SRC", sub[0].i, sub[-1].i + 1)
    return None


def _join_touching(spans: list[TagSpan]) -> list[TagSpan]:
    """Content runs that touch (a B- tag right after a content run) are one content: the tagger
    starts a new run inside a long quotation now and then, and PolNeAR's contents run on."""
    out: list[TagSpan] = []
    for s in spans:
        prev = out[-1] if out else None
        if prev is not None and prev.role == "CON" and s.role == "CON" and s.start == prev.end:
            out[-1] = TagSpan("CON", prev.start, s.end)
        else:
            out.append(s)
    return out


def _keep(doc: Doc, run: TagSpan, probs: numpy.ndarray | None, cfg: DecodeConfig, content_cols: list[int]) -> bool:
    if run.role != "CON":
        return True
    words = [t for t in doc[run.start:run.end] if not t.is_punct]
    quoted = doc[run.start].text[:1] in _QUOTE_OPEN
    if len(words) < cfg.min_tokens and not quoted:
        return False
    if probs is not None and cfg.min_prob > 0:
        p = probs[run.start:run.end][:, content_cols].sum(axis=1).mean()
        if p < cfg.min_prob:
            return False
    return True


def _syntactic_source(doc: Doc, cue_root: int, run_of: dict[int, TagSpan]) -> TagSpan | None:
    """The source run holding the cue verb's subject (or, for "X wants to say", "X said and
    added", the subject of the verb it hangs off)."""
    tok = doc[cue_root]
    for _ in range(3):
        for child in tok.children:
            if child.dep_ in _SUBJECTS:
                run = run_of.get(child.i)
                if run is not None and run.role == "SRC":
                    return run
        if tok.dep_ not in ("xcomp", "conj", "advcl") or tok.head is tok:
            return None
        tok = tok.head
    return None


def _governing_cue(doc: Doc, con: TagSpan, run_of: dict[int, TagSpan]) -> TagSpan | None:
    """The cue run whose token governs the content's head ("said [that ...]")."""
    tok = doc[_root(doc, con.start, con.end)]
    for _ in range(4):
        if tok.head is tok:
            return None
        tok = tok.head
        run = run_of.get(tok.i)
        if run is not None and run.role == "CUE":
            return run
    return None


def _cueless(doc: Doc, con: TagSpan, sources: list[TagSpan]) -> tuple[TagSpan, TagSpan] | None:
    """A content run the tags gave no cue: the source run of its sentence whose head verb
    governs it, else the nearest source run of the sentence; the cue is that verb."""
    sent = doc[con.start].sent
    croot = doc[_root(doc, con.start, con.end)]
    ancestors = {t.i for t in croot.ancestors}
    best, best_d = None, None
    for s in sources:
        if not (sent.start <= s.start < sent.end):
            continue
        verb = doc[_root(doc, s.start, s.end)].head
        d = 0 if verb.i in ancestors or verb.i == croot.i else min(abs(s.end - con.start), abs(con.end - s.start))
        if best_d is None or d < best_d:
            best, best_d = s, d
    if best is None:
        return None
    verb = doc[_root(doc, best.start, best.end)].head
    if best.start <= verb.i < best.end or con.start <= verb.i < con.end:
        verb = croot.head if not (con.start <= croot.head.i < con.end) else croot
    return best, TagSpan("CUE", verb.i, verb.i + 1)


def decode(doc: Doc, tags: list[str], probs: numpy.ndarray | None = None, labels: list[str] | None = None,
           cfg: DecodeConfig = DecodeConfig()) -> list[RawAttribution]:
    """Attributions from the tags of ``doc``: one per content run that has a cue and a source.
    ``probs`` (tokens x ``labels``) are the tagger's scores, for ``cfg.min_prob``."""
    content_cols = [k for k, lab in enumerate(labels or []) if lab.endswith("CON")]
    spans = [r for r in _join_touching(runs(doc, tags)) if _keep(doc, r, probs, cfg, content_cols)]
    if not spans:
        return []
    para = _paragraph_of(doc)
    cues = [s for s in spans if s.role == "CUE"]
    sources = [s for s in spans if s.role == "SRC"]
    out: list[RawAttribution] = []
    source_of: dict[TagSpan, TagSpan | None] = {}
    run_of = {}
    for s in spans:
        for i in range(s.start, s.end):
            run_of[i] = s
    for cue in cues:
        cue_root = _root(doc, cue.start, cue.end)
        best, best_d = None, None
        if cfg.syntax:
            best = _syntactic_source(doc, cue_root, run_of)
            if best is not None:
                source_of[cue] = best
                continue
        sent = doc[cue_root].sent
        touching = None  # a source run right against the cue across a sentence cut ("X | said")
        for s in sources:
            if para[s.start] != para[cue.start]:
                continue
            d = min(abs(s.end - cue.start), abs(cue.end - s.start))
            if not sent.start <= s.start < sent.end:
                if d == 0 and touching is None:
                    touching = s
            elif best_d is None or d < best_d:
                best, best_d = s, d
        if best is None:
            best = (_subject_span(doc, cue_root) if cfg.subject_fallback else None) or touching
        source_of[cue] = best
    for con in (s for s in spans if s.role == "CON"):
        best, best_d = None, None
        if cfg.syntax:
            best = _governing_cue(doc, con, run_of)
            if best is not None:
                best_d = 0
        for cue in ([] if best is not None else cues):
            if para[cue.start] != para[con.start] and para[cue.start] != para[max(con.start - 1, 0)]:
                continue
            d = con.start - cue.end if cue.end <= con.start else (cue.start - con.end if con.end <= cue.start else 0)
            if d <= _MAX_LINK and (best_d is None or d < best_d):
                best, best_d = cue, d
        if best is None:
            if not cfg.cueless:
                continue
            found = _cueless(doc, con, sources)
            if found is None:
                continue
            src, best = found
        else:
            src = source_of.get(best)
        if src is None:
            continue
        cs, ce = _chars(doc, con.start, con.end)
        kind = "direct" if doc.text[cs:cs + 1] in _QUOTE_OPEN else "indirect"
        out.append(RawAttribution(
            speaker=_chars(doc, src.start, src.end),
            cue=_chars(doc, best.start, best.end),
            content=(cs, ce),
            kind=kind,
            speaker_root=_root(doc, src.start, src.end),
            cue_root=_root(doc, best.start, best.end),
            content_root=_root(doc, con.start, con.end),
        ))
    out.sort(key=lambda a: (a.cue[0], a.content[0]))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def combine(rules: list[RawAttribution], learned: list[RawAttribution], mode: str) -> list[RawAttribution]:
    """The attributions to keep. ``rules`` / ``learned``: one side only; ``union``: the rules'
    and every learned one whose content overlaps none of theirs; ``learned-first``: the
    reverse (the learned ones and every rule one whose content overlaps none of them)."""
    if mode == "rules":
        return rules
    if mode == "learned":
        return learned
    first, second = (rules, learned) if mode == "union" else (learned, rules)
    keep = list(first)
    for a in second:
        if not any(_overlaps(a.content, b.content) for b in first):
            keep.append(a)
    keep.sort(key=lambda a: (a.cue[0], a.cue[1], a.content[0]))
    return keep


class AttributionTagger:
    """The shipped (or a given) tagger model, loaded once; :meth:`attributions` per parsed Doc."""

    def __init__(self, path: Path | None = None, decoding: DecodeConfig = DecodeConfig()):
        import spacy

        self.decoding = decoding
        self.path = Path(path) if path else SHIPPED
        if not (self.path / "config.cfg").is_file():
            raise FileNotFoundError(f"no attribution tagger model at {self.path} (train it: stance train attribution)")
        self.nlp = spacy.load(self.path)
        self.pipe = self.nlp.get_pipe("attribution_tagger")
        self.labels = list(self.pipe.labels)

    def scores(self, doc: Doc) -> numpy.ndarray:
        """The tagger's class probabilities for every token of ``doc`` (the Doc is not changed)."""
        return numpy.asarray(self.pipe.model.predict([doc])[0])

    def tags(self, doc: Doc) -> list[str]:
        """The predicted tag of every token of ``doc``."""
        if len(doc) == 0:
            return []
        return [self.labels[int(k)] for k in self.scores(doc).argmax(axis=1)]

    def attributions(self, doc: Doc) -> list[RawAttribution]:
        return self.attributions_many([doc])[0]

    def attributions_many(self, docs: list[Doc]) -> list[list[RawAttribution]]:
        """Attributions of several Docs, scored in one call: the LSTM then steps through all of
        them at once (a fifth faster than one by one; the same tags)."""
        full = [d for d in docs if len(d)]
        scores = iter(self.pipe.model.predict(full)) if full else iter(())
        out = []
        for doc in docs:
            if not len(doc):
                out.append([])
                continue
            probs = numpy.asarray(next(scores))
            tags = [self.labels[int(k)] for k in probs.argmax(axis=1)]
            out.append(decode(doc, tags, probs, self.labels, self.decoding))
        return out
