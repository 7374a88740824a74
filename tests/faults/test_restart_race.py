"""Faust's restart race, made likely on purpose, against the real broker (marker ``faults``).

A worker is killed with a backlog behind its committed offset, and the restarted one
runs ``tests.fixtures.race_worker``: the real worker with Faust's ``perform_seek``
delayed and the first seconds of fetching slowed, so that records are fetched while
the partitions resume before the seek, and the seek lands while a stale batch is
still being handed out (see stream/worker/faust_compat.py for the traced causes).

With the offset guard the restarted worker must finish the input partition's offsets
C, C+1, ... in order from the committed offset C, never commit past an offset it has
not finished, enrich every article, and raise exactly the reference's alerts.

``STANCE_RACE_NO_GUARD=1 pytest tests/faults/test_restart_race.py`` runs the same test
with Faust's own commit rules, to see it fail.
"""
from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from stream.kafka.admin import ensure_topics
from stream.kafka.connection import client_options
from stream.kafka.producer import send_raw
from stream.kafka.topics import ARTICLES
from stream.settings import Settings
from tests.faults.test_faults import _env, finish_and_compare
from tests.fixtures import faults as fs
from tests.fixtures.worker import Worker, settings_for

pytestmark = [pytest.mark.faults, pytest.mark.kafka]

N_RACE = 700
KILL_AT = 220  # enriched records before the kill -9: a backlog the restarted worker must redo
RACE_ENV = {"STANCE_RACE_SEEK_DELAY": "1.5", "STANCE_RACE_SLOW_FETCH": "0.03", "STANCE_RACE_SLOW_WINDOW": "12"}


@pytest.fixture(scope="module")
def race_ref(tmp_path_factory):
    return fs.reference(N_RACE, seed=29, prefix="r", out_dir=tmp_path_factory.mktemp("race-ref"), min_alerts=40)


async def _committed(settings: Settings, group: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(group_id=group, enable_auto_commit=False, **client_options(settings))
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, 0)) or 0
    finally:
        await consumer.stop()


@dataclass
class LogCheck:
    """What the restarted worker's log says about the input partition."""

    finished: list[int]  # offsets of "enriched" / dead-lettered input records, in log order
    bad_commits: list[tuple[int, int]]  # (committed offset, highest offset finished in order + 1)
    commits: int
    seeks: int
    dropped_ahead: int


def check_log(path: Path, topic: str, start: int) -> LogCheck:
    finished: list[int] = []
    contiguous = start  # the next offset to finish in order
    bad: list[tuple[int, int]] = []
    commits = seeks = ahead = 0
    for line in path.read_bytes().splitlines():
        if not line.startswith(b"{"):
            continue
        rec = orjson.loads(line)
        msg = rec.get("message")
        if msg == "enriched" or (msg == "dead-lettered" and rec.get("source_topic") == topic):
            off = rec["offset"]
            finished.append(off)
            if off == contiguous:
                contiguous += 1
        elif msg == "commit" and rec.get("topic") == topic and rec.get("committed"):
            commits += 1
            if rec["offset"] > contiguous:
                bad.append((rec["offset"], contiguous))
        elif msg == "seek back to the next expected offset" and rec.get("topic") == topic:
            seeks += 1
        elif msg == "offset ahead of the next expected one: dropped" and rec.get("topic") == topic:
            ahead += 1
    return LogCheck(finished, bad, commits, seeks, ahead)


@pytest.mark.timeout(400)
def test_restart_race_commits_only_what_was_finished_in_order(kafka_broker, tmp_path, race_ref):
    arts, expected, fp = race_ref
    good = {a["id"] for a in arts}
    extra = dict(RACE_ENV)
    if os.environ.get("STANCE_RACE_NO_GUARD") == "1":
        extra["STANCE_RACE_NO_GUARD"] = "1"
    env = _env(kafka_broker.bootstrap, tmp_path, **extra)
    settings = settings_for(env)
    topic = ARTICLES.name(settings)
    asyncio.run(ensure_topics(settings))
    first = Worker(env, tmp_path, name="race0", module="tests.fixtures.race_worker").start()
    second = None
    try:
        asyncio.run(send_raw(fs.encode(arts), settings))
        deadline = time.monotonic() + 150
        while fs.count_in(settings, "enriched") < KILL_AT:
            assert first.alive, first.log_tail()
            assert time.monotonic() < deadline, f"no progress to {KILL_AT} enriched:\n{first.log_tail()}"
            time.sleep(0.3)
        first.kill()
        start = asyncio.run(_committed(settings, settings.app_id, topic))
        second = Worker(env, tmp_path, name="race1", module="tests.fixtures.race_worker").start()
        enriched, alerts = finish_and_compare(settings, good, expected, second, fp, timeout=200)
        time.sleep(4)  # let a last commit land in the log
    finally:
        if second is not None:
            second.stop()
        first.stop()
    check = check_log(second.log_path, topic, start)
    print(f"[race] committed before restart {start}; restarted worker finished {len(check.finished)} input "
          f"records, {check.commits} commits, {check.seeks} seeks back, {check.dropped_ahead} "
          f"forward jumps (records past skipped ones: dropped, then a seek back)", flush=True)
    assert start > 0, "nothing was committed before the kill: no backlog to race on"
    assert check.finished == list(range(start, N_RACE)), (
        "the restarted worker did not finish the input offsets in order from the committed one: "
        f"first out-of-order (index, offset): {next(((i, o) for i, o in enumerate(check.finished) if o != start + i), None)}, "
        f"{len(check.finished)} finished, {N_RACE - start} expected")
    assert not check.bad_commits, f"commits past unfinished offsets (committed, next unfinished): {check.bad_commits[:5]}"
    assert set(enriched) == good, f"missing {sorted(good - set(enriched))[:10]}"
    assert set(alerts) == expected, (sorted(expected - set(alerts))[:5], sorted(set(alerts) - expected)[:5])
