"""The memoised attribute ruler and lemmatizer give spaCy's own output, token for token."""
from __future__ import annotations

import orjson
import pytest
import spacy

from stream.nlp.memo import MemoAttributeRuler, MemoLemmatizer
from stream.settings import get_settings
from tests.fixtures.data import POLNEAR_TRAIN, SAMPLES, need

# texts that hit the ruler's two-token patterns and the edges of the memo
AWKWARD = [
    "Let's be clear: there is no deal, and there are no talks. Ain't nobody gonna sign it, y'all.",
    "C'mon, he's gotta know that. Is there a plan? There's one, they're saying, that was leaked.",
    "  \n\n  ",
    "U.S. officials said 3.5% isn't enough; THE MINISTER SAID NO. iPhone-maker Apple's CEO didn't.",
    "a",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(get_settings().spacy_model)


def _parsed(nlp, texts):
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        return list(nlp.pipe(texts))


def _annotations(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_) for t in doc]


def _compare(nlp, texts):
    ruler, lemmatizer = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
    memo_ruler, memo_lemmatizer = MemoAttributeRuler(ruler), MemoLemmatizer(lemmatizer)
    docs = _parsed(nlp, texts)
    # twice through the memo: the first pass fills the caches, the second reads them
    for _ in range(2):
        for doc in docs:
            want = _annotations(lemmatizer(ruler(doc.copy())))
            got = _annotations(memo_lemmatizer(memo_ruler(doc.copy())))
            assert got == want
    return sum(len(d) for d in docs)


def test_same_as_spacy_on_awkward_text_and_samples(nlp):
    samples = [orjson.loads(l)["body"] for l in SAMPLES.read_bytes().splitlines() if l.strip()]
    assert _compare(nlp, AWKWARD + samples) > 500


def test_same_as_spacy_on_real_news(nlp):
    lines = need(POLNEAR_TRAIN).read_bytes().splitlines()[:40]
    assert _compare(nlp, [orjson.loads(l)["body"] for l in lines]) > 20_000


def test_refuses_a_ruler_it_cannot_key(nlp):
    ruler = spacy.blank("en").add_pipe("attribute_ruler")
    ruler.add([[{"LENGTH": {">": 3}, "TAG": "NN"}]], {"POS": "NOUN"})
    with pytest.raises(ValueError):
        MemoAttributeRuler(ruler)
