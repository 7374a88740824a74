"""The topic catalogue's literal index finds exactly the topics its regular expressions find."""
from __future__ import annotations

import orjson

from stream.nlp import topics as topics_mod
from stream.nlp.text import norm
from stream.nlp.topics import Catalogue
from tests.fixtures.data import SAMPLES, STANCE_DEV, need


def _regex_candidates(cat: Catalogue, normed: str):
    return [t for t in cat.topics if cat.match_among(normed, [t], normed=True) is not None]


def _texts() -> list[str]:
    rows = [orjson.loads(l) for l in SAMPLES.read_bytes().splitlines() if l.strip()]
    rows += [orjson.loads(l) for l in need(STANCE_DEV).read_bytes().splitlines() if l.strip()]
    out = []
    for r in rows:
        body = r["body"]
        out += [body] + body.split(". ")
    return out


def test_literal_index_agrees_with_the_regexes():
    cat = Catalogue([topics_mod.SHIPPED])
    assert cat._needs is not None  # the shipped catalogue is all plain keywords
    found = 0
    for text in _texts() + ["tariffs on steel imports", "a ceasefire in gaza", "", "eu"]:
        n = norm(text)
        want = _regex_candidates(cat, n)
        got = cat.candidates(n)
        assert [t.id for t in got] == [t.id for t in want], text[:80]
        found += len(got)
    assert found > 50


def test_a_keyword_must_start_a_word_and_excludes_apply(tmp_path):
    f = tmp_path / "topics.jsonl"
    f.write_bytes(b'{"id": "coal", "label": "Coal exit", "keywords": [["coal"], ["phase out", "exit"]], "exclude": ["phase down"]}\n')
    cat = Catalogue([f])
    assert [t.id for t in cat.candidates(norm("A coal exit by 2030"))] == ["coal"]
    assert cat.candidates(norm("charcoal exit")) == []
    assert cat.candidates(norm("coal phase out, or a phase down")) == []
    assert [t.id for t in cat.candidates(norm("Coal-fired plants: phase-out"))] == ["coal"]
