"""The learned attribution tagger's pure parts: brat reading, token tags, features, decoding, combining.

The shipped model's quality is gated on PolNeAR dev in tests/quality/test_alert_quality.py; here the
decoding is driven by hand-written tags over a hand-built parse, so each rule is checked on its own.
"""
from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import Doc  # noqa: E402

from stream.nlp.attribution import corpus  # noqa: E402
from stream.nlp.attribution.features import EXTRA_COLUMNS, LEXICAL_ATTRS, N_COLUMNS, _h, token_features  # noqa: E402
from stream.nlp.attribution.syntax import RawAttribution  # noqa: E402
from stream.nlp.attribution.tagger import SHIPPED, AttributionTagger, DecodeConfig, combine, decode, runs  # noqa: E402


def _doc(words, heads, deps, pos, lemmas=None, spaces=None):
    vocab = spacy.blank("en").vocab
    return Doc(vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos,
               lemmas=lemmas or [w.lower() for w in words], sent_starts=[True] + [False] * (len(words) - 1))


def _said_doc():
    # Smith said the plan would fail .
    words = ["Smith", "said", "the", "plan", "would", "fail", "."]
    heads = [1, 1, 3, 5, 5, 1, 1]
    deps = ["nsubj", "ROOT", "det", "nsubj", "aux", "ccomp", "punct"]
    pos = ["PROPN", "VERB", "DET", "NOUN", "AUX", "VERB", "PUNCT"]
    lemmas = ["Smith", "say", "the", "plan", "would", "fail", "."]
    return _doc(words, heads, deps, pos, lemmas)


def _text(doc, span):
    return doc.text[span[0]:span[1]]


ANN = (
    "T1\tSource 0 5\tSmith\n"
    "T2\tCue 6 10\tsaid\n"
    "T3\tContent 11 30\tthe plan would fail\n"
    "T4\tAttribution 6 10\tsaid\n"
    "T9\tContent\n"  # a span whose text ran over a line break: the scorer's reader chokes, ours skips it
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "E2\tAttribution:T4 Cue:T2\n"  # no content: not an attribution the scorer counts
)


def test_parse_ann_reads_events_with_content_and_skips_broken_lines():
    gold = corpus.parse_ann(ANN)
    assert len(gold) == 1
    g = gold[0]
    assert g.source == [(0, 5)] and g.cue == [(6, 10)] and g.content == [(11, 30)]


def test_token_tags_bio_with_inner_roles_winning():
    doc = _said_doc()
    starts = [t.idx for t in doc]
    tags = corpus.token_tags(doc, starts, corpus.parse_ann(ANN))
    assert tags == ["B-SRC", "B-CUE", "B-CON", "I-CON", "I-CON", "I-CON", "O"]
    # an attribution nested in another one's content: the inner cue and source win their tokens
    outer = corpus.GoldAttribution(source=[(0, 5)], cue=[(6, 10)], content=[(11, 30)])
    inner = corpus.GoldAttribution(source=[(11, 19)], cue=[(20, 25)], content=[(26, 30)])
    tags = corpus.token_tags(doc, starts, [outer, inner])
    assert tags[:6] == ["B-SRC", "B-CUE", "B-SRC", "I-SRC", "B-CUE", "B-CON"]


def test_heldout_split_is_fixed_and_small():
    stems = [f"pub_2016-01-01_article-{i}" for i in range(400)]
    held = [s for s in stems if corpus.heldout(s)]
    assert held == [s for s in stems if corpus.heldout(s)]
    assert 5 <= len(held) <= 40


def test_features_mark_every_word_of_a_reported_clause_with_its_governor():
    doc = _said_doc()
    feats = token_features(doc)
    assert feats.shape == (len(doc), N_COLUMNS)
    gov = len(LEXICAL_ATTRS) + EXTRA_COLUMNS.index("GOV")
    cue = len(LEXICAL_ATTRS) + EXTRA_COLUMNS.index("CUE")
    # "the", "plan", "would" hang off "fail", which is say's ccomp: all are governed by "say|ccomp"
    assert feats[2, gov] == feats[3, gov] == feats[4, gov] == _h("say|ccomp")
    assert feats[0, gov] == _h("say|nsubj")
    near = len(LEXICAL_ATTRS) + EXTRA_COLUMNS.index("NEAR")
    assert feats[3, near] == _h("fail|nsubj")
    assert feats[1, cue] == 1 and feats[2, cue] == 0


def test_features_flag_quotations():
    doc = _doc(["\u201c", "No", "deal", ",", "\u201d", "he", "said", "."], [2, 2, 6, 6, 6, 6, 6, 6],
               ["punct", "det", "ccomp", "punct", "punct", "nsubj", "ROOT", "punct"],
               ["PUNCT", "DET", "NOUN", "PUNCT", "PUNCT", "PRON", "VERB", "PUNCT"],
               spaces=[False, True, False, False, True, True, False, False])
    quote = len(LEXICAL_ATTRS) + EXTRA_COLUMNS.index("QUOTE")
    col = token_features(doc)[:, quote].tolist()
    assert col[0] == 2 and col[1] == 1 and col[2] == 1 and col[5] == 0


def test_decode_links_content_cue_and_source():
    doc = _said_doc()
    tags = ["B-SRC", "B-CUE", "B-CON", "I-CON", "I-CON", "I-CON", "O"]
    atts = decode(doc, tags)
    assert len(atts) == 1
    a = atts[0]
    assert (_text(doc, a.speaker), _text(doc, a.cue), _text(doc, a.content)) == ("Smith", "said", "the plan would fail")
    assert a.speaker_root == 0 and a.cue_root == 1 and a.content_root == 5 and a.kind == "indirect"


def test_decode_drops_lone_words_and_contents_without_source():
    doc = _said_doc()
    assert decode(doc, ["B-SRC", "B-CUE", "O", "O", "O", "B-CON", "O"]) == []  # a one-word content
    assert decode(doc, ["O", "B-CUE", "B-CON", "I-CON", "I-CON", "I-CON", "O"],
                  cfg=DecodeConfig(subject_fallback=False)) == []
    # with the fallback the cue's grammatical subject is the source
    [a] = decode(doc, ["O", "B-CUE", "B-CON", "I-CON", "I-CON", "I-CON", "O"])
    assert _text(doc, a.speaker) == "Smith"


def test_decode_takes_the_source_verb_as_cue_when_no_cue_was_tagged():
    doc = _said_doc()
    [a] = decode(doc, ["B-SRC", "O", "B-CON", "I-CON", "I-CON", "I-CON", "O"])
    assert _text(doc, a.cue) == "said" and _text(doc, a.speaker) == "Smith"
    assert decode(doc, ["B-SRC", "O", "B-CON", "I-CON", "I-CON", "I-CON", "O"], cfg=DecodeConfig(cueless=False)) == []


def test_runs_split_on_begin_tags_and_role_changes():
    doc = _said_doc()
    got = runs(doc, ["B-SRC", "B-CUE", "B-CON", "I-CON", "B-CON", "I-CON", "O"])
    assert [(r.role, r.start, r.end) for r in got] == [("SRC", 0, 1), ("CUE", 1, 2), ("CON", 2, 4), ("CON", 4, 6)]


def test_decode_joins_touching_content_runs():
    doc = _said_doc()
    [a] = decode(doc, ["B-SRC", "B-CUE", "B-CON", "I-CON", "B-CON", "I-CON", "O"])
    assert _text(doc, a.content) == "the plan would fail"


def _raw(content):
    return RawAttribution((0, 1), (1, 2), content, "indirect", 0, 1, None)


def test_combine_modes():
    rules = [_raw((10, 20))]
    learned = [_raw((15, 25)), _raw((30, 40))]
    assert combine(rules, learned, "rules") == rules
    assert combine(rules, learned, "learned") == learned
    assert [a.content for a in combine(rules, learned, "union")] == [(10, 20), (30, 40)]
    assert [a.content for a in combine(rules, learned, "learned-first")] == [(15, 25), (30, 40)]


def test_the_shipped_model_loads_offline_and_leaves_the_doc_alone():
    if not (SHIPPED / "config.cfg").is_file():
        pytest.fail(f"the shipped attribution tagger is missing at {SHIPPED}")
    tagger = AttributionTagger()
    doc = _said_doc()
    before = [t.tag_ for t in doc]
    tags = tagger.tags(doc)
    assert len(tags) == len(doc) and set(tags) <= set(corpus.LABELS)
    assert [t.tag_ for t in doc] == before


REAL_STYLE = (
    "Senator Jane Holt told reporters on Tuesday that the bill would hurt farmers. "
    "The measure, backers argue, is long overdue. Holt has long been wary of the plan, "
    "and her office believes a compromise is still possible.\n\n"
    "\u201cWe will keep fighting,\u201d said Tom Reyes, a union organiser."
)


def test_enricher_publishes_learned_first_and_keeps_the_rules_for_stances():
    """STANCE_ATTRIBUTION=learned-first (the default) publishes the tagger's attributions plus every rule
    one whose content overlaps none of them; the stance layer reads the rules' (STANCE_STANCE_ATTRIBUTIONS
    =rules), so its stances are those of the rules-only pipeline."""
    from datetime import datetime

    from schemas import Article
    from stream.nlp.enricher import Enricher
    from stream.settings import Settings

    article = Article(id="t-attr", published_at=datetime(2026, 10, 15, 12), title="t", body=REAL_STYLE)
    default = Enricher(Settings(strict=True)).enrich(article)
    rules = Enricher(Settings(strict=True, attribution="rules")).enrich(article)
    learned = Enricher(Settings(strict=True, attribution="learned")).enrich(article)
    key = lambda a: (a.speaker.start, a.cue.start, a.content.start, a.content.end)  # noqa: E731
    overlaps = lambda a, b: a.content.start < b.content.end and b.content.start < a.content.end  # noqa: E731
    want = {key(a) for a in learned.attributions} | {
        key(r) for r in rules.attributions if not any(overlaps(r, a) for a in learned.attributions)}
    assert {key(a) for a in default.attributions} == want
    assert any(key(r) not in {key(a) for a in learned.attributions} for r in rules.attributions)  # a rule one kept
    for a in default.attributions:
        assert REAL_STYLE[a.content.start:a.content.end] == a.content.text
        assert REAL_STYLE[a.speaker.start:a.speaker.end] == a.speaker.text
    assert [s.model_dump(exclude={"id"}) for s in default.stances] == [s.model_dump(exclude={"id"}) for s in rules.stances]


def test_the_shipped_tagger_alone_finds_plain_reported_speech():
    """The trained model on text it never saw: indirect speech, a cognition verb, a quote with a trailing speaker."""
    from datetime import datetime

    from schemas import Article
    from stream.nlp.enricher import Enricher
    from stream.settings import Settings

    article = Article(id="t-attr", published_at=datetime(2026, 10, 15, 12), title="t", body=REAL_STYLE)
    got = {(a.speaker.text, a.cue.text, a.content.text.strip("\u201c\u201d,"))
           for a in Enricher(Settings(strict=True, attribution="learned")).enrich(article).attributions}
    assert ("Senator Jane Holt", "told", "that the bill would hurt farmers") in got
    assert any(sp.startswith("Tom Reyes") and cue == "said" and "keep fighting" in co for sp, cue, co in got)
