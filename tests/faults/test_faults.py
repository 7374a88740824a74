"""Fault injection against the real broker and the real worker (marker ``faults``).

    pytest -m faults            # this group alone (a few minutes on 2 cores)

Every run is compared with an uninterrupted reference computed by the offline pure path
(``stream.commands.process.process``: same ingest checks, enrichment and tracker) over the same articles:

* crash:      kill -9 of the worker (and its pool) at three random points, restarted each time
* outage:     the broker stopped for 20 s mid-run (own broker: the session one is not disturbed)
* rebalance:  a second worker joins mid-run, then the first is stopped
* hostile:    1,000 bad messages mixed with 1,000 good ones; DLQ reasons, same pid, bounded memory,
              and the Prometheus metrics checked against what was sent

"Nothing lost" = the set of enriched article ids equals the set of good ids and the set of
DISTINCT alert ids equals the reference's. Delivery is at-least-once, so a topic may hold the
same enriched record or alert id more than once after a crash; the tests print how many.
"""
from __future__ import annotations

import asyncio
import os
import random
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import orjson
import pytest

from schemas import EnrichedArticle, StanceRecord
from stream.kafka.admin import ensure_topics
from stream.devtools.kafka_local import LocalBroker, free_port
from stream.positions import PositionTracker
from stream.kafka.producer import send_raw
from stream.settings import Settings
from stream.devtools.procstats import rss_peak_kb
from tests.fixtures import faults as fs
from tests.fixtures.worker import Worker, current_positions, namespace_env, settings_for

pytestmark = [pytest.mark.faults, pytest.mark.kafka]

N_CRASH = 2000
N_SMALL = 600
REPORT: list[str] = []  # figures for the README reliability table, printed at the end (-s / -rP)


def report(line: str) -> None:
    REPORT.append(line)
    print(f"[faults] {line}", flush=True)


@pytest.fixture(scope="module", autouse=True)
def _print_report():
    yield
    if REPORT:
        print("\n[faults] summary:\n  " + "\n  ".join(REPORT))


def _env(bootstrap: str, tmp: Path, **extra: str) -> dict[str, str]:
    # Faust reads BROKER_SESSION_TIMEOUT from the environment: after a kill -9 the group waits that
    # long for the dead member (default 60 s) before the restarted worker gets its partitions.
    return namespace_env(bootstrap, tmp, STANCE_POOL_WORKERS="2", BROKER_SESSION_TIMEOUT="10",
                         BROKER_HEARTBEAT_INTERVAL="1", **extra)


@pytest.fixture(scope="module")
def crash_ref(tmp_path_factory):
    return fs.reference(N_CRASH, seed=7, prefix="c", out_dir=tmp_path_factory.mktemp("crash-ref"), min_alerts=100)


@pytest.fixture(scope="module")
def small_ref(tmp_path_factory):
    out = tmp_path_factory.mktemp("small-ref")
    arts, alerts, fp = fs.reference(N_SMALL, seed=13, prefix="s", out_dir=out, min_alerts=30)
    tracker = PositionTracker(min_confidence=Settings().min_confidence, history_limit=Settings().history_per_key)
    for line in (out / "out" / "stances.jsonl").read_bytes().splitlines():
        if line.strip():
            tracker.apply(StanceRecord.model_validate_json(line))
    return arts, alerts, tracker.current_polarities(), fp


def finish_and_compare(settings: Settings, good_ids: set[str], expected_alerts: set[str], worker: Worker,
                       fingerprint: str, timeout: float = 180) -> tuple[list[str], list[str]]:
    """Wait until every good id is enriched and every reference alert is out; return all ids (dups kept)."""
    enriched = fs.wait_ids(settings, "enriched", "article_id", good_ids, timeout, worker)
    changed = fs.code_fingerprint(Settings()) != fingerprint
    alerts = fs.wait_ids(settings, "alerts", "id", expected_alerts, 10 if changed else 60, worker)
    time.sleep(2)  # a late, unexpected alert gets a moment to show up
    alerts = fs.ids_in(settings, "alerts", "id")
    assert fs.code_fingerprint(Settings()) == fingerprint, (
        "stream/nlp (or the KB, ingest, tracker) changed while this test ran: the workers and the offline "
        "reference did not run the same enricher, so their alerts are not comparable; run the test again")
    return enriched, alerts


# --------------------------------------------------------------------------- 1. crash


@pytest.mark.timeout(420)  # includes the offline reference (about 30-60 s when not cached) and 3 restarts
def test_kill9_three_times(kafka_broker, tmp_path, crash_ref):
    arts, expected, fp = crash_ref
    good = {a["id"] for a in arts}
    env = _env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    t0 = time.monotonic()
    worker = Worker(env, tmp_path, name="run0").start()
    asyncio.run(send_raw(fs.encode(arts), settings))
    seed = int(os.environ.get("STANCE_FAULT_SEED") or random.randrange(1 << 30))  # set it to replay a run
    points = sorted(random.Random(seed).sample(range(150, N_CRASH - 300), 3))
    print(f"[faults] crash: STANCE_FAULT_SEED={seed} -> kill points {points}", flush=True)
    kills = []
    try:
        for k, n in enumerate(points, 1):
            deadline = time.monotonic() + 120
            while fs.count_in(settings, "enriched") < n:
                assert worker.alive, worker.log_tail()
                assert time.monotonic() < deadline, f"no progress to {n} enriched:\n{worker.log_tail()}"
                time.sleep(0.3)
            at = fs.count_in(settings, "enriched")
            worker.kill()
            kills.append(at)
            worker = Worker(env, tmp_path, name=f"run{k}").start()
        enriched, alerts = finish_and_compare(settings, good, expected, worker, fp)
        dlq = fs.raw_topic(settings, "dlq")
    finally:
        worker.stop()
    took = time.monotonic() - t0
    letters = [orjson.loads(v) for _, v in dlq]
    assert set(enriched) == good, f"missing {sorted(good - set(enriched))[:10]}"
    assert not letters, f"good articles dead-lettered after a crash: {Counter(x['reason'] for x in letters)}"
    assert set(alerts) == expected, (sorted(expected - set(alerts))[:5], sorted(set(alerts) - expected)[:5])
    report(f"crash: {N_CRASH} articles, kill -9 x3 at ~{kills} enriched records (STANCE_FAULT_SEED={seed}), lost 0; "
           f"enriched messages {len(enriched)} for {len(good)} ids; alerts {len(alerts)} messages for "
           f"{len(set(alerts))} distinct ids (reference {len(expected)}); {took:.0f}s")


# --------------------------------------------------------------------------- 2. broker outage


@pytest.fixture
def own_broker(tmp_path):
    from tests.fixtures.kafka import _home

    broker = LocalBroker(_home(), free_port(), data_dir=tmp_path / "kafka", controller_port=free_port(),
                         num_partitions=1, die_with_parent=True)
    broker.start(timeout=120)
    try:
        yield broker
    finally:
        broker.stop(20)


def _runs(values: list[float]) -> list[float]:
    """``[1, 1, 0, 0, 1]`` -> ``[1, 0, 1]``."""
    return [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v]


class Sampler(threading.Thread):
    """Scrapes /metrics every second: what an operator's dashboard would have shown."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.rows: list[tuple[float, float, float, float, float]] = []  # t, in, enriched, lag, queue
        self.connected: list[tuple[float, float]] = []  # t, stance_broker_connected
        self.stop_event = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self.stop_event.is_set():
            try:
                s = fs.scrape(self.port, timeout=3)
                self.rows.append((time.monotonic() - t0, fs.metric(s, "stance_articles_in_total"),
                                  fs.metric(s, "stance_articles_enriched_total"),
                                  fs.metric_sum(s, "stance_consumer_lag"), fs.metric(s, "stance_pool_queue_depth")))
                self.connected.append((time.monotonic() - t0, fs.metric(s, "stance_broker_connected")))
            except OSError:
                pass
            self.stop_event.wait(1.0)

    def at(self, t: float):
        rows = [r for r in self.rows if r[0] <= t]
        return rows[-1] if rows else None


@pytest.mark.timeout(200)
def test_sigterm_while_the_broker_is_away_is_bounded(own_broker, tmp_path):
    """A worker asked to stop during an outage exits within STANCE_SHUTDOWN_SECONDS (and its margin)."""
    import signal

    limit = 8.0
    env = _env(own_broker.bootstrap, tmp_path, STANCE_SHUTDOWN_SECONDS=str(limit))
    settings = settings_for(env)
    worker = Worker(env, tmp_path, name="sigterm").start()
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{settings.web_port}/health", timeout=2) as r:
                    if r.status == 200 and orjson.loads(r.read()).get("assigned_partitions"):
                        break
            except OSError:
                pass
            assert worker.alive and time.monotonic() < deadline, worker.log_tail()
            time.sleep(0.5)
        time.sleep(3)  # past recovery: the worker is consuming
        assert worker.alive, worker.log_tail()
        own_broker.stop(20)
        time.sleep(3)
        assert worker.alive, worker.log_tail()
        t0 = time.monotonic()
        os.killpg(worker.proc.pid, signal.SIGTERM)
        worker.proc.wait(120)
        took = time.monotonic() - t0
    finally:
        worker.kill()
    report(f"sigterm during an outage: exited in {took:.1f}s (limit {limit:.0f}s), status {worker.proc.returncode}")
    assert took < limit + 5, worker.log_tail()


@pytest.mark.timeout(300)
def test_broker_outage_20s(own_broker, tmp_path, small_ref):
    arts, expected, _, fp = small_ref
    good = {a["id"] for a in arts}
    env = _env(own_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    t0 = time.monotonic()
    worker = Worker(env, tmp_path, name="outage").start()
    sampler = Sampler(int(env["STANCE_WEB_PORT"]))
    half = len(arts) // 2
    try:
        asyncio.run(send_raw(fs.encode(arts[:half]), settings))
        deadline = time.monotonic() + 120
        while fs.count_in(settings, "enriched") < half // 2:
            assert worker.alive and time.monotonic() < deadline, worker.log_tail()
            time.sleep(0.3)
        sampler.start()
        time.sleep(3)
        t_down = time.monotonic() - t0
        s_down = time.monotonic()
        own_broker.stop(20)
        time.sleep(20)
        own_broker.start(timeout=120)
        t_up = time.monotonic() - t0
        outage = time.monotonic() - s_down
        assert worker.alive, f"the worker died during the outage:\n{worker.log_tail()}"
        asyncio.run(send_raw(fs.encode(arts[half:]), settings))  # more input after the outage: lag must rise
        enriched, alerts = finish_and_compare(settings, good, expected, worker, fp)
        pid_same = worker.alive
    finally:
        sampler.stop_event.set()
        worker.stop()
    took = time.monotonic() - t0
    assert pid_same
    assert set(enriched) == good, f"missing {sorted(good - set(enriched))[:10]}"
    assert set(alerts) == expected
    # What the metrics showed: progress stopped while the broker was away, resumed after.
    rows = sampler.rows
    report(f"outage: {len(arts)} articles, broker stopped {outage:.0f}s (down {t_down:.0f}s -> up {t_up:.0f}s), "
           f"lost 0, reconnected without action; enriched messages {len(enriched)} for {len(good)} ids; "
           f"alerts {len(alerts)} messages / {len(set(alerts))} distinct (reference {len(expected)}); {took:.0f}s")
    lag_peak = max((r[3] for r in rows), default=0)
    report(f"outage metrics: {len(rows)} scrapes answered (web server stayed up); peak stance_consumer_lag "
           f"{lag_peak:.0f}; samples (t, in, enriched, lag, queue): "
           + ", ".join(f"({r[0]:.0f},{r[1]:.0f},{r[2]:.0f},{r[3]:.0f},{r[4]:.0f})" for r in rows[::5]))
    assert lag_peak > 0, "consumer lag never showed the backlog"
    link = [c for _, c in sampler.connected]
    report(f"outage: stance_broker_connected went {'-'.join(str(int(c)) for c in _runs(link))}")
    assert 0.0 in link and link[-1] == 1.0, f"the broker gauge did not show the outage: {link}"


# --------------------------------------------------------------------------- 3. rebalance


@pytest.mark.timeout(300)
def test_second_worker_joins_then_first_leaves(kafka_broker, tmp_path, small_ref):
    arts, expected, want, fp = small_ref
    good = {a["id"] for a in arts}
    env1 = _env(kafka_broker.bootstrap, tmp_path)
    env2 = {**env1, "STANCE_WEB_PORT": str(free_port()), "STANCE_DATADIR": str(tmp_path / "faust-second")}
    settings = settings_for(env1)
    asyncio.run(ensure_topics(settings))
    t0 = time.monotonic()
    first = Worker(env1, tmp_path, name="first").start()
    second = None
    try:
        asyncio.run(send_raw(fs.encode(arts), settings))
        deadline = time.monotonic() + 120
        while fs.count_in(settings, "enriched") < len(arts) // 4:
            assert first.alive and time.monotonic() < deadline, first.log_tail()
            time.sleep(0.3)
        second = Worker(env2, tmp_path, name="second").start()
        # wait until the second worker took part of the work (it answers /health with partitions)
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{env2['STANCE_WEB_PORT']}/health", timeout=5) as r:
                    if orjson.loads(r.read())["assigned_partitions"] > 0:
                        break
            except OSError:
                pass
            assert second.alive and time.monotonic() < deadline, second.log_tail()
            time.sleep(0.5)
        at_join = fs.count_in(settings, "enriched")
        first.stop()
        enriched, alerts = finish_and_compare(settings, good, expected, second, fp)
        # positions on the survivor (its table rebuilt from the changelog) = the offline tracker's
        have = current_positions(int(env2["STANCE_WEB_PORT"]), {a for a, _ in want})
    finally:
        first.stop()
        if second is not None:
            second.stop()
    took = time.monotonic() - t0
    assert set(enriched) == good
    assert set(alerts) == expected
    assert have == want
    report(f"rebalance: {len(arts)} articles, 2nd worker joined at ~{at_join} enriched, 1st stopped; lost 0; "
           f"enriched messages {len(enriched)} for {len(good)} ids; alerts {len(alerts)} messages / "
           f"{len(set(alerts))} distinct (reference {len(expected)}); positions of {len(want)} keys equal; {took:.0f}s")


# --------------------------------------------------------------------------- 4 + 6. hostile input, metrics


@pytest.mark.timeout(300)
def test_hostile_input_and_metrics(kafka_broker, tmp_path):
    good_arts = fs.good_articles(990, seed=5, prefix="g") + fs.odd_but_valid_articles(10)
    bad = fs.hostile_messages(1000, huge=3)
    msgs: list[tuple[bytes | None, bytes | None, str | None]] = [
        (a["id"].encode(), orjson.dumps(a), None) for a in good_arts] + bad
    random.Random(3).shuffle(msgs)
    good = {a["id"] for a in good_arts}
    env = _env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    t0 = time.monotonic()
    worker = Worker(env, tmp_path, name="hostile").start()
    port = int(env["STANCE_WEB_PORT"])
    try:
        pid = worker.pid
        asyncio.run(send_raw([(k, v) for k, v, _ in msgs], settings))
        enriched = fs.wait_ids(settings, "enriched", "article_id", good, 240, worker,
                               also=lambda: fs.count_in(settings, "dlq") >= len(bad))
        letters = [orjson.loads(v) for _, v in fs.raw_topic(settings, "dlq")]
        enriched_raw = [EnrichedArticle.model_validate_json(v) for _, v in fs.raw_topic(settings, "enriched") if v]
        # The track agent may still be applying stances: wait until the lag gauge (updated every 5 s)
        # says every consumed partition is caught up, then count the alerts.
        deadline = time.monotonic() + 60
        while True:
            samples = fs.scrape(port)
            lag = fs.by_label(samples, "stance_consumer_lag", "topic")
            if lag and not any(lag.values()) or time.monotonic() > deadline:
                break
            time.sleep(1)
        time.sleep(5.5)  # one more timer tick, so the alerts counted below are all in the metrics
        n_alerts = fs.count_in(settings, "alerts")
        samples = fs.scrape(port)
        lag = fs.by_label(samples, "stance_consumer_lag", "topic")
        rss = rss_peak_kb(pid)
        alive, same_pid = worker.alive, worker.pid == pid
    finally:
        worker.stop()
    took = time.monotonic() - t0
    assert alive and same_pid, worker.log_tail()
    problems = fs.log_problems(worker.log_path)
    assert not problems, problems[:10]
    assert set(enriched) == good, f"missing {sorted(good - set(enriched))[:10]}"
    assert len(enriched) == len(good), "a good article was enriched twice without any fault"
    got_reasons = Counter(x["reason"] for x in letters)
    want_reasons = Counter(r for _, _, r in bad)
    assert got_reasons == want_reasons, (got_reasons, want_reasons)
    assert all(x["error_detail"] for x in letters)
    # a 10 MB payload is kept truncated in its dead letter (the DLQ does not carry the 10 MB again)
    huge = [x for x in letters if x["reason"] == "too_large"]
    assert huge and all(x["payload_size"] > 10_000_000 and len(x["raw_payload"]) <= settings.dlq_payload_chars
                        for x in huge)
    assert not {x["key"] for x in letters} & good, "a good article was dead-lettered"
    by_key = {x["key"]: x["reason"] for x in letters if x["key"]}
    for k, _, r in bad:
        if k is not None:
            assert by_key.get(k.decode()) == r, (k, by_key.get(k.decode()), r)
    # The prompt-injection text is data: enriched like any article, body kept verbatim, nothing obeyed.
    inj = next(e for e in enriched_raw if e.article.body == fs.INJECTION)
    assert inj.article_id.startswith("odd-")
    assert n_alerts > 0
    # Memory: worker + pool processes, peak RSS.
    total_mb = sum(rss.values()) / 1024
    assert total_mb < 2048, rss
    # 6. Observability: the counters agree with what was sent and what came out.
    stance_pol = Counter(s.polarity for e in enriched_raw for s in e.stances)
    checks = {
        "articles_in": (fs.metric(samples, "stance_articles_in_total"), len(msgs)),
        "enriched": (fs.metric(samples, "stance_articles_enriched_total"), len(good)),
        "dead letters": (fs.by_label(samples, "stance_dead_letters_total", "reason"), dict(want_reasons)),
        "stances": (fs.by_label(samples, "stance_stances_total", "polarity"), dict(stance_pol)),
        "alerts": (fs.metric_sum(samples, "stance_alerts_total"), n_alerts),
        "enrich histogram count": (fs.metric(samples, "stance_enrichment_seconds_count"), len(good)),
        "pool queue": (fs.metric(samples, "stance_pool_queue_depth"), 0),
        "lag": (sum(lag.values()), 0),
    }
    wrong = {k: v for k, v in checks.items() if v[0] != v[1]}
    report(f"hostile: {len(good)} good + {len(bad)} bad (3 x 10 MB), lost 0, all bad in DLQ with reason "
           f"{dict(got_reasons)}; same pid, no agent crash; peak RSS worker+pool {total_mb:.0f} MB "
           f"({ {p: kb // 1024 for p, kb in rss.items()} } MB); {took:.0f}s")
    report(f"metrics after hostile run: " + "; ".join(f"{k}={v[0]}" for k, v in checks.items())
           + f"; lag by topic {lag}" + (f"; MISMATCH {wrong}" if wrong else ""))
    assert not wrong, wrong
