"""Quality gate: the enricher over the shared stance-dev set, scored by the shared scorer.

Skipped (with the reason) only when the shared evaluation data is not beside the project.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from schemas import Article
from tests.fixtures.data import EVAL, STANCE_DEV, need

pytestmark = pytest.mark.quality

GOLD = STANCE_DEV
SCORER = EVAL / "score.py"


def _need():
    need(GOLD)
    need(SCORER)


def _rows() -> list[dict]:
    return [json.loads(l) for l in GOLD.read_text(encoding="utf-8").splitlines() if l.strip()]


def _article(row: dict) -> Article:
    row = dict(row)
    row.pop("gold", None)
    return Article(**row)


@pytest.fixture(scope="module")
def enriched(offline_dev):
    """The session's one offline run over stance-dev (tests/fixtures/data.py ``offline_dev``), read back."""
    _need()
    from schemas import EnrichedArticle

    outdir, _ = offline_dev
    rows = _rows()
    by_id = {}
    for line in (outdir / "enriched.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = EnrichedArticle.model_validate_json(line)
            by_id[e.article_id] = e
    out = [by_id[r["id"]] for r in rows]
    return rows, out, outdir


def _scorer():
    spec = importlib.util.spec_from_file_location("shared_score", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_stance_f1_and_entity_recall(enriched):
    _, _, outdir = enriched
    proc = subprocess.run([sys.executable, str(SCORER), str(GOLD), str(outdir), "--json", "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    body = proc.stdout[: proc.stdout.rindex("}") + 1]
    result = json.loads(body)
    f1 = result["stance"]["f1"]
    recall = result["entities"]["recall"]
    assert f1 >= 0.80, f"stance F1 {f1:.3f} < 0.80: {result['stance']}"
    assert recall >= 0.95, f"entity recall {recall:.3f} < 0.95"


def test_golden_first_article(enriched):
    rows, out, _ = enriched
    score = _scorer()
    gold = rows[0]["gold"]["stances"]
    got = [json.loads(s.model_dump_json()) for s in out[0].stances]
    decided = [s for s in got if s["polarity"] in ("support", "oppose")]
    for g in gold:
        if g.get("optional"):
            continue
        assert any(score.gold_stance_matches(s, g) for s in decided), f"missing gold stance: {g['actor']} {g['polarity']} {g['topic']}"
    for s in decided:
        ok = any(score.gold_stance_matches(s, g) for g in gold) or any(
            g.get("optional") and score.actor_matches(score.stance_actor_names(s), g)
            and score.topic_matches(score.topic_text(s), g) for g in gold)
        assert ok, f"invented stance: {s['actor']['name']} {s['polarity']} {s['topic']['id']} :: {s['evidence']['text']}"
