"""Replay and event-time determinism through the real broker."""
from __future__ import annotations

import asyncio
import random

import orjson
import pytest

from schemas import StanceRecord
from stream.kafka import client
from stream.kafka.admin import ensure_topics
from stream.positions import PositionTracker
from stream.kafka.producer import send_raw
from stream.commands.replay import replay
from tests.fixtures.data import dev_articles
from tests.fixtures.worker import Worker, current_positions, namespace_env, settings_for, wait_for

pytestmark = pytest.mark.kafka


def run_live(env, settings, rows, tmp_path, name):
    asyncio.run(ensure_topics(settings))
    worker = Worker(env, tmp_path, name=name).start()
    try:
        asyncio.run(send_raw([(r["id"].encode(), orjson.dumps(r)) for r in rows], settings))
        wait_for("enriched", settings, lambda xs: len({x.article_id for x in xs}) >= len(rows), 300, worker)
        # The positions agent is done when the number of applied stances stops moving; poll the alerts
        # topic a few times with a pause so the last alert has been written.
        import time

        time.sleep(5)
        stances = asyncio.run(client.collect("stances", settings=settings, from_beginning=True))
        positions = current_positions(int(env["STANCE_WEB_PORT"]), {s.actor.id for s in stances})
        alerts = asyncio.run(client.collect("alerts", settings=settings, from_beginning=True))
    finally:
        worker.stop()
    return stances, alerts, positions


def test_replay_matches_live_run(kafka_broker, tmp_path):
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    rows = dev_articles()
    stances, alerts, _ = run_live(env, settings, rows, tmp_path, "live")
    assert alerts, "the live run raised no alert"
    summary = asyncio.run(replay(settings, name="whole", log_dir=tmp_path))
    assert summary.selected == len(rows) and summary.enriched == len(rows)
    ns = settings.model_copy(update={"topic_prefix": summary.prefix})
    r_stances = asyncio.run(client.collect("stances", settings=ns, from_beginning=True))
    r_alerts = asyncio.run(client.collect("alerts", settings=ns, from_beginning=True))
    assert {s.id for s in r_stances} == {s.id for s in stances}
    assert {a.id for a in r_alerts} == {a.id for a in alerts}
    # The live namespace saw nothing of the replay.
    assert len(asyncio.run(client.collect("enriched", settings=settings, from_beginning=True))) == len(rows)


def test_replay_of_a_time_range(kafka_broker, tmp_path):
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    rows = dev_articles()
    asyncio.run(ensure_topics(settings))
    asyncio.run(send_raw([(r["id"].encode(), orjson.dumps(r)) for r in rows], settings))
    from datetime import datetime

    since, until = datetime.fromisoformat("2026-10-01T00:00:00+00:00"), datetime.fromisoformat("2026-11-01T00:00:00+00:00")
    summary = asyncio.run(replay(settings, since=since, until=until, name="oct", log_dir=tmp_path))
    want = {r["id"] for r in rows if since <= datetime.fromisoformat(r["published_at"].replace("Z", "+00:00")) < until}
    ns = settings.model_copy(update={"topic_prefix": summary.prefix})
    got = {e.article_id for e in asyncio.run(client.collect("enriched", settings=ns, from_beginning=True))}
    assert got == want and summary.skipped_out_of_range == len(rows) - len(want)


def test_shuffled_order_same_positions_no_alert_about_the_past(kafka_broker, tmp_path, offline_dev):
    out_dir, _ = offline_dev
    rows = dev_articles()
    random.Random(7).shuffle(rows)
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    stances, alerts, positions = run_live(env, settings, rows, tmp_path, "shuffled")

    tracker = PositionTracker(min_confidence=settings.min_confidence, history_limit=settings.history_per_key)
    for line in (out_dir / "stances.jsonl").read_bytes().splitlines():
        if line.strip():
            tracker.apply(StanceRecord.model_validate_json(line))
    assert positions == tracker.current_polarities()

    arrival = {r["id"]: i for i, r in enumerate(rows)}
    for alert in alerts:
        key = (alert.actor.id, alert.topic.id)
        here = arrival[alert.current.article_id]
        earlier = [s for s in stances
                   if (s.actor.id, s.topic.id) == key and arrival[s.article_id] < here and s.tense == "current"
                   and s.polarity != "neutral" and s.confidence > settings.min_confidence]
        assert all(s.published_at <= alert.current.published_at for s in earlier), (
            f"alert {alert.id} is about the past: a newer statement had already arrived")


def test_rebuild_rederives_live_state_with_rocksdb(kafka_broker, tmp_path):
    """`stance replay --rebuild` on a stopped RocksDB-backed app: the restarted worker re-derives
    every record and position from the input topic and raises the same alerts again (same ids)."""
    import subprocess
    import sys
    import time

    pytest.importorskip("rocksdict")
    env = namespace_env(kafka_broker.bootstrap, tmp_path, STANCE_STORE="rocksdb://")
    settings = settings_for(env)
    rows = dev_articles()
    stances, alerts, positions = run_live(env, settings, rows, tmp_path, "before")
    assert alerts and positions
    tables = list((tmp_path).glob("faust-*/v*/tables"))
    assert tables, "the RocksDB store wrote no local tables"

    done = subprocess.run([sys.executable, "-m", "stream", "replay", "--rebuild"], env={**__import__("os").environ, **env},
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "-changelog" in done.stdout and "local table data" in done.stdout, done.stdout
    assert not any(t.exists() for t in tables)

    worker = Worker(env, tmp_path, name="rebuilt").start()
    try:
        wait_for("enriched", settings, lambda xs: len(xs) >= 2 * len(rows), 300, worker)
        deadline, got = time.monotonic() + 90, {}
        while time.monotonic() < deadline:
            got = current_positions(int(env["STANCE_WEB_PORT"]), {a for a, _ in positions})
            if got == positions:
                break
            time.sleep(2)
        assert got == positions
        after = wait_for("alerts", settings, lambda xs: len(xs) >= 2 * len(alerts), 60, worker)
    finally:
        worker.stop()
    # the rebuilt run published the same alerts again: consumers dedupe by alert id
    assert {a.id for a in after} == {a.id for a in alerts}
    again = asyncio.run(client.collect("stances", settings=settings, from_beginning=True))
    assert {s.id for s in again} == {s.id for s in stances} and len(again) == 2 * len(stances)


def test_replay_beside_a_live_worker_and_a_second_run_of_the_same_name(kafka_broker, tmp_path):
    """The replay's own worker binds no web port (a live one holds it); a namespace is used once."""
    from stream.commands import UserError

    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    rows = dev_articles()[:6]
    asyncio.run(ensure_topics(settings))
    asyncio.run(send_raw([(r["id"].encode(), orjson.dumps(r)) for r in rows], settings))
    live = Worker(env, tmp_path, name="live").start()  # holds STANCE_WEB_PORT
    try:
        first = asyncio.run(replay(settings, name="twice", log_dir=tmp_path))
        assert (first.selected, first.enriched, first.dead_lettered) == (len(rows), len(rows), 0)
        with pytest.raises(UserError, match="already exists"):
            asyncio.run(replay(settings, name="twice", log_dir=tmp_path))
        again = asyncio.run(replay(settings, name="twice", log_dir=tmp_path, fresh=True))
        assert (again.enriched, again.dead_lettered, again.stances, again.alerts) == (
            first.enriched, first.dead_lettered, first.stances, first.alerts)
        assert live.alive
    finally:
        live.stop()
