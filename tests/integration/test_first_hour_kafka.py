"""A new user's first steps against the real broker: no `stance topics` step, and a crash that shows.

Both start from a namespace in which no topic exists yet, as on a fresh broker.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.error
import urllib.request

import orjson
import pytest

from stream.kafka.producer import send_raw
from stream.worker.health import EXIT_AGENT_CRASHED
from tests.fixtures.worker import Worker, namespace_env, settings_for, wait_for
from tests.integration.test_pipeline_kafka import article

pytestmark = pytest.mark.kafka


def health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
            return resp.status, orjson.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read() or b"{}")
    except OSError:
        return 0, {}


def wait_healthy(port: int, worker: Worker, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while health(port)[0] != 200:
        assert worker.alive, worker.log_tail()
        assert time.monotonic() < deadline, worker.log_tail()
        time.sleep(0.5)


def test_worker_then_publish_on_a_fresh_broker(kafka_broker, tmp_path):
    """The worker creates every topic it writes: the first dead letter and the outputs arrive."""
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    worker = Worker(env, tmp_path).start()
    try:
        wait_healthy(settings.web_port, worker)
        src = tmp_path / "three.jsonl"
        src.write_bytes(b"\n".join(orjson.dumps(article(i)) for i in range(3)) + b"\n")
        out = subprocess.run([sys.executable, "-m", "stream", "publish", str(src)], env={**worker.env},
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        asyncio.run(send_raw([(b"bad", b"{ not json")], settings))  # the first message for the DLQ
        enriched = wait_for("enriched", settings, lambda xs: len({x.article_id for x in xs}) >= 3, 120, worker)
        letters = wait_for("dlq", settings, lambda xs: len(xs) >= 1, 60, worker)
        assert {x.article_id for x in enriched} == {"good-0", "good-1", "good-2"}
        assert [d.reason for d in letters] == ["not_json"]
        assert worker.alive and health(settings.web_port)[0] == 200
    finally:
        worker.stop()
    assert "created topics" in worker.log_path.read_text()


def test_an_agent_crash_shows_on_health_and_exits_non_zero(kafka_broker, tmp_path):
    env = namespace_env(kafka_broker.bootstrap, tmp_path, STANCE_RACE_CRASH_ON="good-1",
                        STANCE_CRASH_EXIT_SECONDS="6")
    settings = settings_for(env)
    worker = Worker(env, tmp_path, module="tests.fixtures.race_worker").start()
    try:
        wait_healthy(settings.web_port, worker)
        asyncio.run(send_raw([(a["id"].encode(), orjson.dumps(a)) for a in (article(0), article(1))], settings))
        deadline = time.monotonic() + 90
        status, body = health(settings.web_port)
        while status == 200 and time.monotonic() < deadline:
            time.sleep(0.3)
            status, body = health(settings.web_port)
        assert status == 503, (status, body, worker.log_tail())
        assert body["status"] == "failed" and "injected crash on article good-1" in body["failures"][0]
        worker.proc.wait(60)
        assert worker.proc.returncode == EXIT_AGENT_CRASHED, worker.log_tail()
    finally:
        worker.stop()


def test_tail_follow_waits_for_the_topic_then_prints_each_alert_once(kafka_broker, tmp_path):
    """A subscriber started before the first alert gets it; a redelivered alert prints once; aliases match."""
    from tests.integration.test_subscribe_kafka import _alert

    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    tail = subprocess.Popen([sys.executable, "-m", "stream", "tail", "alerts", "--follow", "--actor", "Kremlin"],
                            env={**__import__("os").environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        import select

        ready, _, _ = select.select([tail.stderr], [], [], 30)
        assert ready, "tail printed nothing while it waited"
        first_err = tail.stderr.readline()
        assert "waiting for topic" in first_err, first_err
        time.sleep(8)  # longer than the old silent exit took
        assert tail.poll() is None, tail.stderr.read()
        russia = _alert(1).model_copy(update={"id": "alert-ru"})
        russia = russia.model_copy(update={"actor": russia.actor.model_copy(update={"id": "Q159", "name": "Russia"})})
        other = _alert(2)
        payloads = [(b"Q159", russia.model_dump_json().encode()), (b"x", other.model_dump_json().encode()),
                    (b"Q159", russia.model_dump_json().encode())]  # an at-least-once repeat
        asyncio.run(send_raw(payloads, settings, topic=settings.topic(settings.topic_alerts)))
        time.sleep(8)
    finally:
        tail.terminate()
        out, err = tail.communicate(timeout=30)
    lines = [orjson.loads(x) for x in out.splitlines() if x.strip()]
    assert [x["id"] for x in lines] == ["alert-ru"], (out, err)
