"""Position tracking through the real broker: same alerts as offline, and recovery after restarts."""
from __future__ import annotations

import asyncio
import time
import urllib.request

import orjson
import pytest

from schemas import PositionChange
from stream.kafka.admin import ensure_topics
from stream.kafka.producer import send_raw
from tests.fixtures.data import dev_articles
from tests.fixtures.worker import Worker, current_positions, namespace_env, settings_for, wait_for

pytestmark = pytest.mark.kafka


def offline_alert_ids(out_dir) -> set[str]:
    lines = (out_dir / "alerts.jsonl").read_bytes().splitlines()
    return {PositionChange.model_validate_json(x).id for x in lines if x.strip()}


def publish_dev(settings) -> int:
    rows = dev_articles()
    asyncio.run(send_raw([(r["id"].encode(), orjson.dumps(r)) for r in rows], settings))
    return len(rows)


def alert_ids(settings, expected: set[str], worker: Worker, timeout: float = 120) -> set[str]:
    items = wait_for("alerts", settings, lambda xs: {a.id for a in xs} >= expected, timeout, worker)
    # Give a late, unexpected alert a moment to show up before comparing sets.
    time.sleep(2)
    return {a.id for a in wait_for("alerts", settings, lambda xs: True, 5)}


def test_dev_stream_gives_offline_alerts(kafka_broker, tmp_path, offline_dev):
    out_dir, _ = offline_dev
    expected = offline_alert_ids(out_dir)
    assert expected, "the offline run raised no alert on the dev set"
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    worker = Worker(env, tmp_path).start()
    try:
        n = publish_dev(settings)
        wait_for("enriched", settings, lambda xs: len({x.article_id for x in xs}) >= n, 300, worker)
        got = alert_ids(settings, expected, worker)
        views = web_views(int(env["STANCE_WEB_PORT"]))
    finally:
        worker.stop()
    assert got == expected
    health, all_alerts, recent, history = views
    assert health["status"] == "ok" and health["assigned_partitions"] > 0
    assert {a["id"] for a in all_alerts["alerts"]} == expected
    assert recent["alerts"] == [] and history["history"]


def web_views(port: int):
    def get(path: str):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as resp:
            assert resp.headers["Content-Type"].startswith("application/json")
            return orjson.loads(resp.read())

    health = get("/health")
    all_alerts = get("/alerts?since=2000-01-01T00:00:00Z")
    recent = get("/alerts?since=2999-01-01T00:00:00Z")
    first = all_alerts["alerts"][0]
    history = get(f"/positions/{first['actor']['id']}/{first['topic']['id']}")
    return health, all_alerts, recent, history


@pytest.mark.parametrize("how", ["clean", "kill9"])
def test_restart_halfway_recovers(kafka_broker, tmp_path, offline_dev, how):
    out_dir, _ = offline_dev
    expected = offline_alert_ids(out_dir)
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    worker = Worker(env, tmp_path, name="first").start()
    n = publish_dev(settings)
    try:
        wait_for("enriched", settings, lambda xs: len({x.article_id for x in xs}) >= n // 2, 300, worker)
    finally:
        if how == "clean":
            worker.stop()
        else:
            worker.kill()
    worker = Worker(env, tmp_path, name="second").start()
    try:
        wait_for("enriched", settings, lambda xs: len({x.article_id for x in xs}) >= n, 300, worker)
        got = alert_ids(settings, expected, worker)
        # The positions table came back from its changelog: the web view agrees with the offline tracker.
        from stream.positions import PositionTracker
        from schemas import StanceRecord

        tracker = PositionTracker(min_confidence=settings.min_confidence, history_limit=settings.history_per_key)
        for line in (out_dir / "stances.jsonl").read_bytes().splitlines():
            if line.strip():
                tracker.apply(StanceRecord.model_validate_json(line))
        want = tracker.current_polarities()
        # every alert is out, but stances that raise none may still be on their way to the table
        deadline = time.monotonic() + 90
        while True:
            have = current_positions(int(env["STANCE_WEB_PORT"]), {a for a, _ in want})
            if have == want or time.monotonic() > deadline:
                break
            time.sleep(2)
    finally:
        worker.stop()
    assert got == expected
    assert have == want
