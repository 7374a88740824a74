"""Articles through the real broker and the real worker: enriched records and dead letters."""
from __future__ import annotations

import asyncio

import orjson
import pytest

from stream.kafka.admin import ensure_topics
from stream.kafka.producer import send_raw
from tests.fixtures.worker import Worker, namespace_env, settings_for, wait_for

pytestmark = pytest.mark.kafka


def article(i: int, **kw) -> dict:
    base = {
        "id": f"good-{i}",
        "published_at": f"2026-10-{1 + i % 28:02d}T10:00:00Z",
        "source": "Test Wire",
        "title": f"Story {i}",
        "body": (f"The government of Norway said on day {i} that it would not accept the proposed fishing quota. "
                 "Foreign Minister Espen Barth Eide told reporters the plan was unfair to coastal communities."),
        "language": "en",
    }
    base.update(kw)
    return base


def test_good_and_bad_articles(kafka_broker, tmp_path):
    env = namespace_env(kafka_broker.bootstrap, tmp_path)
    settings = settings_for(env)
    asyncio.run(ensure_topics(settings))
    good = [article(i) for i in range(6)]
    bad = [
        (b"not-json", b"this is { not json"),
        (b"no-body", orjson.dumps({"id": "no-body", "published_at": "2026-10-01T10:00:00Z", "title": "x"})),
        (b"huge", orjson.dumps(article(99, id="huge", body="word " * 1_000_000))),  # 5 MB body
        (b"empty", orjson.dumps(article(98, id="empty", body=""))),
        (b"good-0", orjson.dumps(article(0, title="resent under the same id"))),  # duplicate id
    ]
    messages = []
    for i, a in enumerate(good):
        messages.append((a["id"].encode(), orjson.dumps(a)))
        if i < len(bad):
            messages.append(bad[i])
    worker = Worker(env, tmp_path).start()
    try:
        asyncio.run(send_raw(messages, settings))
        enriched = wait_for("enriched", settings, lambda xs: len({x.article_id for x in xs}) >= len(good), 240, worker)
        letters = wait_for("dlq", settings, lambda xs: len(xs) >= len(bad), 60, worker)
        assert worker.alive, worker.log_tail()
    finally:
        worker.stop()
    assert {x.article_id for x in enriched} == {a["id"] for a in good}
    # The duplicate was not enriched a second time: every enriched good-0 is the first version.
    assert all(x.article.title != "resent under the same id" for x in enriched)
    reasons = {d.key: d.reason for d in letters}
    assert reasons == {"not-json": "not_json", "no-body": "invalid_schema", "huge": "body_too_long",
                       "empty": "empty_body", "good-0": "duplicate_id"}, reasons
    for d in letters:
        assert d.error_detail and d.source_topic.endswith("articles") and d.offset is not None
