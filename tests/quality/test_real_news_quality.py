"""Quality gates on real reporting: stance-real-dev (checking only, never tuned on) and
stance-real-train (what the classifier was trained on, reported beside it), both through the
real offline path (``stream.commands.process.process``) and scored by the shared scorer.

The gates sit just under the measured figures (README, *Measured quality*), so a change that
loses real-news quality fails here; the issue's target (0.65) is not reached yet.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from tests.fixtures.data import EVAL, ROOT, need

pytestmark = pytest.mark.quality

SCORER = EVAL / "score.py"
MIN_REAL_DEV_STANCE_F1 = 0.48      # measured 0.496 (0.488 before "they" and earlier mentions, 0.473 before refusals were composed, 0.113 before the learned stage)
MIN_ENTITY_RECALL = 0.95           # measured 0.967 (real-dev) and 0.973 (real-train)
MIN_INVENTED_CHECK_F1 = 0.50       # measured 0.536 (0.429 with the catalogue rules alone)
INVENTED_CHECK = ROOT / "tests" / "data" / "invented-check.gold.jsonl"


def _run(name: str, tmp_path_factory, gold=None):
    from stream.commands.process import process
    from stream.settings import Settings

    gold = need(gold or EVAL / f"{name}.jsonl")
    need(SCORER)
    base = tmp_path_factory.mktemp(name)
    src = base / "articles.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row.pop("gold", None)
                fh.write(json.dumps(row) + "\n")
    out = base / "out"
    asyncio.run(process([str(src)], out, Settings(), workers=2))
    proc = subprocess.run([sys.executable, str(SCORER), str(gold), str(out), "--json", "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])
    print(name, proc.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def real_dev(tmp_path_factory):
    return _run("stance-real-dev", tmp_path_factory)


@pytest.fixture(scope="module")
def real_train(tmp_path_factory):
    return _run("stance-real-train", tmp_path_factory)


def test_real_dev_stance_f1_and_entity_recall(real_dev):
    assert real_dev["stance"]["f1"] >= MIN_REAL_DEV_STANCE_F1, real_dev["stance"]
    assert real_dev["entities"]["recall"] >= MIN_ENTITY_RECALL, real_dev["entities"]


def test_real_train_entity_recall(real_train):
    # its stance F1 is in-sample (the classifier was fitted on it) and is only reported
    assert real_train["entities"]["recall"] >= MIN_ENTITY_RECALL, real_train["entities"]
    assert real_train["stance"]["f1"] > 0.5, real_train["stance"]


@pytest.fixture(scope="module")
def invented(tmp_path_factory):
    return _run("invented-check", tmp_path_factory, INVENTED_CHECK)


def test_invented_check_stance_f1(invented):
    """Our own invented articles on storylines stance-dev does not have (tests/data): the closest
    thing here to new invented news. The catalogue rules alone scored 0.429 on it."""
    assert invented["stance"]["f1"] >= MIN_INVENTED_CHECK_F1, invented["stance"]
