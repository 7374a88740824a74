"""Publishing, subscribing and the alert webhook, as users do it, against the real broker."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import datetime, timezone

import orjson
import pytest
from aiohttp import web

from schemas import ActorRef, PositionChange, Statement, TopicRef
from stream.kafka import client
from stream.kafka.admin import ensure_topics
from stream.commands.publish import publish
from stream.kafka.producer import send_raw
from stream.commands.alerts import run_webhook
from tests.fixtures.worker import namespace_env, serve_hook, settings_for

pytestmark = pytest.mark.kafka

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><language>en</language>
<item><title>Minister rejects plan</title><link>https://e.org/1</link><guid>feed-1</guid>
<pubDate>Tue, 03 Nov 2026 09:15:00 GMT</pubDate>
<description>&lt;p&gt;The finance minister said on Tuesday that the government would not accept the plan.&lt;/p&gt;</description></item>
<item><title>Union backs deal</title><link>https://e.org/2</link><guid>feed-2</guid>
<pubDate>Wed, 04 Nov 2026 10:00:00 GMT</pubDate><description>The union said it supports the deal.</description></item>
</channel></rss>"""


def art(i: int, day: int = 1) -> dict:
    return {"id": f"p{i}", "published_at": f"2026-11-{day:02d}T10:00:00Z", "title": f"t{i}",
            "body": f"The council said on day {i} that it would support the new bridge.", "language": "en"}


def test_publish_every_format_and_reject_invalid(kafka_broker, tmp_path):
    settings = settings_for(namespace_env(kafka_broker.bootstrap, tmp_path))
    asyncio.run(ensure_topics(settings))
    (tmp_path / "a.jsonl").write_bytes(b"\n".join(orjson.dumps(art(i)) for i in range(3)) + b"\n" + orjson.dumps(art(0)))
    (tmp_path / "b.json").write_bytes(orjson.dumps([art(10), {"id": "bad", "body": ""}]))
    (tmp_path / "c.txt").write_text("Headline\n\nThe mayor said the city would not accept the toll plan.\n")
    (tmp_path / "feed.rss").write_text(RSS)
    summary = asyncio.run(publish([str(tmp_path / n) for n in ("a.jsonl", "b.json", "c.txt", "feed.rss")],
                                  settings, progress=False))
    assert (summary.sent, summary.rejected, summary.duplicates) == (7, 1, 1)
    assert any("b.json[1]" in p and "invalid_schema" in p for p in summary.problems), summary.problems
    got = asyncio.run(client.collect("articles", settings=settings, from_beginning=True))
    ids = {a.id for a in got}
    assert {"p0", "p1", "p2", "p10", "feed-1", "feed-2"} <= ids and len(ids) == 7
    feed1 = next(a for a in got if a.id == "feed-1")
    assert "<p>" not in feed1.body and feed1.published_at == datetime(2026, 11, 3, 9, 15, tzinfo=timezone.utc)


def _alert(i: int) -> PositionChange:
    t = datetime(2026, 11, 1, tzinfo=timezone.utc)
    prev = Statement(stance_id=f"s{i}a", polarity="oppose", article_id=f"a{i}", published_at=t, evidence="no")
    return PositionChange(id=f"alert-{i}", kind="reversal", actor=ActorRef(id=f"Q{i}", name=f"Actor {i}"),
                          topic=TopicRef(id="t", label="T"), previous=prev,
                          current=prev.model_copy(update={"polarity": "support", "stance_id": f"s{i}b"}))


def test_tail_time_travel_and_filters(kafka_broker, tmp_path):
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    topic = settings.topic(settings.topic_alerts)
    asyncio.run(send_raw([(b"Q1", _alert(1).model_dump_json().encode())], settings, topic=topic))
    time.sleep(1.5)
    middle = datetime.now(timezone.utc)
    time.sleep(0.5)
    asyncio.run(send_raw([(b"Q2", _alert(2).model_dump_json().encode()),
                          (b"Q3", _alert(3).model_dump_json().encode())], settings, topic=topic))
    later = asyncio.run(client.collect("alerts", settings=settings, since=middle))
    assert {a.id for a in later} == {"alert-2", "alert-3"}
    only = asyncio.run(client.collect("alerts", settings=settings, from_beginning=True,
                                      where=client.Filter(actor="actor 3")))
    assert [a.id for a in only] == ["alert-3"]
    # The command line does the same, and prints something a person can read.
    out = subprocess.run([sys.executable, "-m", "stream", "tail", "alerts", "--from-beginning", "--format", "pretty",
                          "--actor", "Q2"], env={**__import__("os").environ, **env}, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "ALERT reversal: Actor 2" in out.stdout and "Actor 3" not in out.stdout


async def deliver_twice(hook, settings, group: str) -> tuple[int, int]:
    """Run the sink against ``hook`` until idle, then again: the second run must find nothing left."""
    runner, url = await serve_hook(hook)
    try:
        n = await run_webhook(url, settings, group=group, stop_after_idle=3)
        again = await run_webhook(url, settings, group=group, stop_after_idle=2)
    finally:
        await runner.cleanup()
    return n, again


def test_webhook_delivers_every_alert_despite_failures(kafka_broker, tmp_path):
    settings = settings_for(namespace_env(kafka_broker.bootstrap, tmp_path))
    asyncio.run(ensure_topics(settings))
    topic = settings.topic(settings.topic_alerts)
    alerts = [_alert(i) for i in range(5)]
    # alert-0 twice: an at-least-once redelivery on the topic is posted once.
    payloads = [(a.actor.id.encode(), a.model_dump_json().encode()) for a in alerts + alerts[:1]]
    asyncio.run(send_raw(payloads, settings, topic=topic))

    async def go():
        received: list[str] = []
        failures = {"left": 3}

        async def hook(request: web.Request) -> web.Response:
            if failures["left"] > 0:
                failures["left"] -= 1
                return web.Response(status=503)
            received.append((await request.json())["id"])
            return web.Response(status=204)

        n, again = await deliver_twice(hook, settings, "hook-test")
        return n, again, received

    n, again, received = asyncio.run(go())
    assert n == 5 and again == 0
    assert sorted(received) == sorted(a.id for a in alerts)


def test_webhook_dead_letters_what_it_cannot_deliver_and_goes_on(kafka_broker, tmp_path):
    """An undecodable record and an alert the endpoint refuses (4xx) go to the DLQ; the rest is delivered."""
    settings = settings_for(namespace_env(kafka_broker.bootstrap, tmp_path))
    asyncio.run(ensure_topics(settings))
    topic = settings.topic(settings.topic_alerts)
    alerts = [_alert(i) for i in range(4)]
    payloads = [(a.actor.id.encode(), a.model_dump_json().encode()) for a in alerts]
    payloads.insert(1, (b"Q9", b"{not json"))
    asyncio.run(send_raw(payloads, settings, topic=topic))

    async def go():
        received: list[str] = []

        async def hook(request: web.Request) -> web.Response:
            body = await request.json()
            if body["id"] == "alert-2":
                return web.Response(status=422, text="unknown actor")
            received.append(body["id"])
            return web.Response(status=204)

        n, again = await deliver_twice(hook, settings, "hook-dlq")
        return n, again, received

    n, again, received = asyncio.run(go())
    assert (n, again) == (3, 0)  # and the sink did not stop at the bad record or the refusal
    assert sorted(received) == ["alert-0", "alert-1", "alert-3"]
    letters = asyncio.run(client.collect("dlq", settings=settings, from_beginning=True))
    assert sorted((d.reason, d.key) for d in letters) == [("invalid_alert", "Q9"),
                                                          ("webhook_refused", alerts[2].actor.id)]
    refused = next(d for d in letters if d.reason == "webhook_refused")
    assert "HTTP 422 unknown actor" in refused.error_detail and refused.source_topic == topic
