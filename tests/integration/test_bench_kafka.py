"""`stance bench` runs every stage against the real broker and reports consistent figures.

No speed is asserted (machines are shared and noisy): only that each stage ran, the
ratios are the ratios of the rates measured in the same run, and the JSON matches.
"""
from __future__ import annotations

import math

import orjson
import pytest

from stream.devtools.bench import run
from stream.settings import PACKAGE_DIR

pytestmark = pytest.mark.kafka


def test_bench_runs_every_stage_on_the_samples(kafka_broker, tmp_path):
    out = tmp_path / "bench.json"
    figures = run(str(PACKAGE_DIR / "samples" / "articles.jsonl"), limit=None, out_json=out,
                  bootstrap=kafka_broker.bootstrap, workers2=True)
    assert figures["articles"] == 6
    for stage in ("a", "b", "c", "d", "a0_spacy_default_blis"):
        assert figures[stage] > 0 and math.isfinite(figures[stage])
    assert figures["b_over_a"] == pytest.approx(figures["b"] / figures["a"])
    assert figures["c_over_b"] == pytest.approx(figures["c"] / figures["b"])
    assert figures["d_over_c"] == pytest.approx(figures["d"] / figures["c"])
    e = figures["e"]
    assert 0 < e["enriched_p50"] <= e["enriched_p95"] <= e["enriched_p99"]
    assert e["alerts"] >= 1  # the samples hold two reversals
    cpu = figures["d_cpu_seconds"]
    assert cpu["pool"] > 0 and cpu["worker_loop"] > 0  # measured from /proc while the stream ran
    assert figures["worker_tree_peak_mb"] > 0 and figures["rss_kb"]["pool_processes"]
    assert figures["scale_out"]["two_workers_rate"] > 0  # the two workers ran side by side
    assert orjson.loads(out.read_bytes())["d"] == figures["d"]
