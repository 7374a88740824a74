"""Token features for the learned attribution tagger, and the thinc layer that embeds them.

Why these: a Source, Cue or Content span is recognised less by its words than by its
place in the sentence. A content token sits in a clause governed by a verb of saying
("said [that ...]"), often many words from that verb, and a source is the subject of
one; a window of neighbouring words alone cannot see either. So besides spaCy's usual
lexical attributes (NORM, PREFIX, SUFFIX, SHAPE) each token gets, from the parse the
pipeline already makes:

* ``POS``, ``DEP``, ``ENT_TYPE`` of the token itself;
* ``HEAD``: the lemma of its syntactic head;
* ``REL``: its relation and its head's lemma ("nsubj|say");
* ``NEAR``: the nearest verb or noun above it reached through an argument or clausal
  edge, with that edge ("fail|nsubj" for "plan" in "said the plan would fail");
* ``GOV``: the first ancestor reached through a clausal edge, with that edge ("say|ccomp"
  for every word of a reported clause, however deep; for a word in no such clause, its
  ``NEAR`` value, so a source gets "say|nsubj");
* ``QUOTE``: outside a quotation, inside one, or a quotation mark (quotations paired
  within their paragraph, as the rules pair them);
* ``CUE``: the lemma is in the shipped cue lexicon, and ``SENTCUE``: its sentence holds one.

The values are hashed into :class:`thinc.api.HashEmbed` tables, one per column,
exactly as spaCy's ``MultiHashEmbed`` does with plain attributes; the layer is
registered as ``stance_stream.AttributionEmbed.v1`` so that the config beside the
tagger (``tagger.cfg``) names it and the saved model loads once this module is imported.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy
from spacy.attrs import DEP, ENT_TYPE, LEMMA, NORM, POS, PREFIX, SHAPE, SUFFIX
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints2d

from stream.nlp.attribution.quotes import doc_quote_spans
from stream.nlp.lexicons.speech import CUE_LEMMAS, NOUN_CUE_LEMMAS

LEXICAL_ATTRS = [NORM, PREFIX, SUFFIX, SHAPE, LEMMA, POS, DEP, ENT_TYPE]
EXTRA_COLUMNS = ("HEAD", "REL", "NEAR", "GOV", "QUOTE", "CUE", "SENTCUE")
N_COLUMNS = len(LEXICAL_ATTRS) + len(EXTRA_COLUMNS)

# Edges through which a word belongs to what its governor says or does (NEAR) ...
_GOVERNING = frozenset({"ccomp", "parataxis", "xcomp", "csubj", "dobj", "obj", "advcl", "acl", "relcl",
                        "nsubj", "nsubjpass", "agent", "attr", "oprd", "pcomp", "pobj", "conj"})
# ... and the edges that embed a whole clause as what is said or thought (GOV).
_CLAUSAL = frozenset({"ccomp", "parataxis", "csubj", "xcomp"})
_MAX_CLIMB = 16
_CUES = CUE_LEMMAS | NOUN_CUE_LEMMAS


def _h(value: str) -> int:
    """A stable 64-bit hash (spaCy's own string hash, so it is the same in every process)."""
    return hash_string(value)


def token_features(doc: Doc) -> numpy.ndarray:
    """The feature matrix of ``doc``: one row per token, :data:`N_COLUMNS` uint64 columns.

    One pass reads every token's head, relation, POS and lemma into plain lists; the climbs and
    the hashes then run over those (a spaCy ``Token`` per step would cost three times as much)."""
    n = len(doc)
    out = numpy.zeros((n, N_COLUMNS), dtype="uint64")
    if n == 0:
        return out
    out[:, : len(LEXICAL_ATTRS)] = doc.to_array(LEXICAL_ATTRS).reshape((n, len(LEXICAL_ATTRS)))
    base = len(LEXICAL_ATTRS)
    text = doc.text
    marks = numpy.zeros(len(text) + 1, dtype="int8")
    for qs, qe, _closed in doc_quote_spans(doc):
        marks[qs:qe] = 1
    parsed = doc.has_annotation("DEP")
    heads, deps, pos, lemmas, idx, first, short = [], [], [], [], [], [], []
    for t in doc:
        heads.append(t.head.i)
        deps.append(t.dep_)
        pos.append(t.pos_)
        lemmas.append(t.lemma_.lower() or t.lower_)
        idx.append(t.idx)
        first.append(text[t.idx] if t.idx < len(text) else "")
        short.append(len(t) <= 2)
    is_cue = [lem in _CUES for lem in lemmas]
    sent_cue = [False] * n
    if doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            if any(is_cue[sent.start:sent.end]):
                sent_cue[sent.start:sent.end] = [True] * (sent.end - sent.start)
    memo: dict[str, int] = {}

    def h(value: str) -> int:
        got = memo.get(value)
        if got is None:
            got = memo[value] = _h(value)
        return got

    rows = []
    for i in range(n):
        if parsed:
            hi = heads[i]
            cur, near, gov = i, "-", ""
            for _ in range(_MAX_CLIMB):
                par = heads[cur]
                if par == cur:
                    break
                dep = deps[cur]
                if near == "-" and dep in _GOVERNING and pos[par] in ("VERB", "AUX", "NOUN"):
                    near = f"{lemmas[par]}|{dep}"
                if dep in _CLAUSAL:
                    gov = f"{lemmas[par]}|{dep}"
                    break
                cur = par
            head_f, rel_f, near_f, gov_f = h(lemmas[hi]), h(f"{deps[i]}|{lemmas[hi]}"), h(near), h(gov or near)
        else:
            head_f = rel_f = near_f = gov_f = 0
        quote = 2 if (short[i] and first[i] in "\u201c\u201d\"\u00ab\u00bb'`") else int(marks[idx[i]])
        rows.append((head_f, rel_f, near_f, gov_f, quote, 1 if is_cue[i] else 0, 1 if sent_cue[i] else 0))
    out[:, base:] = numpy.array(rows, dtype="uint64").reshape((n, len(EXTRA_COLUMNS)))
    return out


def AttributionFeatures() -> Model[list[Doc], list[Ints2d]]:
    """A thinc layer: Docs in, one feature matrix per Doc out (no weights, no gradient)."""

    def forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Ints2d], Callable]:
        feats = [model.ops.asarray2i(token_features(doc), dtype="uint64") for doc in docs]
        return feats, lambda d: []

    return Model("attribution_features", forward)


@registry.architectures("stance_stream.AttributionEmbed.v1")
def AttributionEmbed(width: int, rows: list[int]) -> Model[list[Doc], list[Floats2d]]:
    """Hash embeddings of every column of :func:`token_features`, mixed by one maxout layer
    (spaCy's MultiHashEmbed, over these columns instead of plain token attributes)."""
    if len(rows) != N_COLUMNS:
        raise ValueError(f"rows has {len(rows)} entries; the features have {N_COLUMNS} columns")
    embeddings = [HashEmbed(width, rows[i], column=i, seed=8 + i, dropout=0.0) for i in range(N_COLUMNS)]
    return chain(
        AttributionFeatures(),
        list2ragged(),
        with_array(concatenate(*embeddings)),
        with_array(Maxout(width, width * N_COLUMNS, nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )


@registry.architectures("stance_stream.CNNBiLSTMEncoder.v1")
def CNNBiLSTMEncoder(width: int, window_size: int, maxout_pieces: int, cnn_depth: int, lstm_depth: int,
                     dropout: float) -> Model[list[Floats2d], list[Floats2d]]:
    """spaCy's window CNN for the near context, then a residual bidirectional LSTM (thinc's
    own, on the CPU) that carries what lies far away: the quotation opened thirty words ago,
    the verb of saying at the start of a long reported clause."""
    from spacy.ml.models.tok2vec import MaxoutWindowEncoder
    from thinc.api import LSTM, residual, with_padded

    cnn = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=cnn_depth)
    lstm = residual(with_padded(LSTM(width, width, bi=True, depth=lstm_depth, dropout=dropout)))
    return chain(cnn, lstm)
