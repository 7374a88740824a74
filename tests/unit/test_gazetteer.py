"""The gazetteer scan finds what one regex alternation of every KB name would find."""
from __future__ import annotations

import re

import orjson

from stream.nlp import kb as kb_mod
from stream.nlp.gazetteer import Gazetteer, gazetteer_forms
from stream.nlp.kb import KB
from tests.fixtures.data import POLNEAR_TRAIN, SAMPLES, STANCE_DEV, need


def _regex(forms: list[str]) -> re.Pattern:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in ordered) + r")(?![\w])")


def test_same_hits_as_the_regex_alternation():
    kb = KB([kb_mod.SHIPPED])
    forms = gazetteer_forms(kb)
    rx, gaz = _regex(forms), Gazetteer(forms)
    texts = [orjson.loads(l)["body"] for l in SAMPLES.read_bytes().splitlines() if l.strip()]
    texts += [orjson.loads(l)["body"] for l in need(STANCE_DEV).read_bytes().splitlines() if l.strip()]
    texts += [orjson.loads(l)["body"] for l in need(POLNEAR_TRAIN).read_bytes().splitlines()[:200]]
    texts += ["", "U.S.-China talks", "the European Commission's plan", "EUropean", "Russia,Ukraine", "Mr Trump_x"]
    hits = 0
    for t in texts:
        want = [(m.start(), m.end(), m.group(0)) for m in rx.finditer(t)]
        assert gaz.find(t) == want, t[:80]
        hits += len(want)
    assert hits > 500


def test_longest_name_wins_and_names_end_at_word_ends():
    gaz = Gazetteer(["European Union", "European", "Union", "EU"])
    assert gaz.find("The European Union and the EU. Europeans, EUR") == [(4, 18, "European Union"), (27, 29, "EU")]
