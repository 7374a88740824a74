"""A small typed client for Stance Stream topics.

``read()`` is an async iterator of pydantic models from any of the output
topics, with filters and time travel by timestamp (Kafka's offsets_for_times).
It reads without a consumer group (so it commits nothing and disturbs no one)
unless ``group`` is given.

    async for alert in read("alerts", since=datetime(2026, 10, 1, tzinfo=UTC)):
        print(alert.actor.name, alert.previous.polarity, "->", alert.current.polarity)
"""
from __future__ import annotations

import asyncio
from contextlib import aclosing
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pydantic import BaseModel, ValidationError

from schemas import DeadLetter, EnrichedArticle, PositionChange, StanceRecord
from stream.kafka.connection import bootstrap_servers, client_options  # noqa: F401  (re-exported)
from stream.kafka.topics import BY_KIND, TopicSpec
from stream.settings import Settings, get_settings
from stream.worker.faust_compat import force_metadata_update

#: kind -> its registry entry (``stance tail KIND``)
KINDS: dict[str, TopicSpec] = BY_KIND


@dataclass
class Filter:
    """Matches on ids or names, case-insensitively; empty fields match everything."""

    actor: str | None = None
    topic: str | None = None
    polarity: str | None = None
    until: datetime | None = None
    extra: list[Callable[[BaseModel], bool]] = field(default_factory=list)
    #: Actor ids the ``actor`` text names in the knowledge base ("Kremlin" -> Q159): they match too.
    actor_ids: frozenset[str] = frozenset()

    def _actor_ok(self, names: list[str]) -> bool:
        return (self.actor is None or any(n in self.actor_ids for n in names if n)
                or any(self.actor.lower() in (n or "").lower() for n in names))

    def _topic_ok(self, names: list[str]) -> bool:
        return self.topic is None or any(self.topic.lower() in (n or "").lower() for n in names)

    def __call__(self, item: BaseModel) -> bool:
        if isinstance(item, StanceRecord):
            ok = (self._actor_ok([item.actor.id, item.actor.name] + ([item.speaker.name] if item.speaker else []))
                  and self._topic_ok([item.topic.id, item.topic.label, item.target_text])
                  and (self.polarity is None or item.polarity == self.polarity))
        elif isinstance(item, PositionChange):
            ok = (self._actor_ok([item.actor.id, item.actor.name])
                  and self._topic_ok([item.topic.id, item.topic.label])
                  and (self.polarity is None or item.current.polarity == self.polarity))
        elif isinstance(item, EnrichedArticle):
            ok = ((self.actor is None or any(self._actor_ok([s.actor.id, s.actor.name]) for s in item.stances)
                   or any(self._actor_ok([e.id, e.name]) for e in item.entities))
                  and (self.topic is None or any(self._topic_ok([s.topic.id, s.topic.label]) for s in item.stances))
                  and (self.polarity is None or any(s.polarity == self.polarity for s in item.stances)))
        else:
            ok = True
        return ok and all(f(item) for f in self.extra)


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str, attempts: int = 50) -> list[TopicPartition]:
    """The topic's partitions; an unsubscribed consumer knows none until it asks for metadata."""
    for _ in range(attempts):
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        await force_metadata_update(consumer)
        if not consumer.partitions_for_topic(topic):
            await asyncio.sleep(0.1)
    return []


async def records(
    kind: str,
    *,
    settings: Settings | None = None,
    since: datetime | None = None,
    from_beginning: bool = False,
    follow: bool = False,
    group: str | None = None,
    idle_timeout: float = 2.0,
    on_wait: Callable[[str], None] | None = None,
) -> AsyncIterator[ConsumerRecord]:
    """Yield a topic's raw records. Without ``follow`` it stops at the end offsets seen at start.

    With ``follow`` a topic that does not exist yet is waited for (``on_wait`` is told
    once): on a fresh broker the alerts topic appears with the first alert, and a
    subscriber started early must still get it.
    """
    settings = settings or get_settings()
    topic = KINDS[kind].name(settings)
    consumer = AIOKafkaConsumer(
        group_id=group,
        enable_auto_commit=group is not None,
        auto_offset_reset="earliest" if (from_beginning or since) else "latest",
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=32 * 1024 * 1024,
        **client_options(settings),
    )
    await consumer.start()
    try:
        tps = await topic_partitions(consumer, topic, attempts=5 if follow else 50)
        if not tps and follow:
            if on_wait is not None:
                on_wait(topic)
            while not tps:
                await asyncio.sleep(idle_timeout)
                tps = await topic_partitions(consumer, topic, attempts=1)
            if since is None and not from_beginning and group is None:
                from_beginning = True  # created after we started waiting: all of it is new
        if not tps:
            return
        consumer.assign(tps)
        if since is not None:
            found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
            ends = await consumer.end_offsets(tps)
            for tp in tps:
                ot = found.get(tp)
                consumer.seek(tp, ot.offset if ot is not None else ends[tp])
        elif from_beginning:
            await consumer.seek_to_beginning(*tps)
        elif group is None:
            await consumer.seek_to_end(*tps)
        ends = await consumer.end_offsets(tps)
        done: set[TopicPartition] = set()
        while True:
            if not follow:
                for tp in tps:
                    if tp not in done and await consumer.position(tp) >= ends[tp]:
                        done.add(tp)
                if len(done) == len(tps):
                    return
            batch = await consumer.getmany(timeout_ms=int(idle_timeout * 1000) if follow else 500)
            for tp, recs in batch.items():
                for rec in recs:
                    if not follow and rec.offset >= ends[tp]:
                        continue
                    yield rec
    finally:
        await consumer.stop()


async def read(
    kind: str,
    *,
    settings: Settings | None = None,
    since: datetime | None = None,
    from_beginning: bool = False,
    follow: bool = False,
    group: str | None = None,
    where: Filter | None = None,
    idle_timeout: float = 2.0,
    on_invalid: Callable[[bytes, Exception], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> AsyncIterator[BaseModel]:
    """Yield models from a topic. Without ``follow`` it stops at the end offsets seen at start."""
    model = KINDS[kind].model
    where = where or Filter()
    async with aclosing(records(kind, settings=settings, since=since, from_beginning=from_beginning, follow=follow,
                                group=group, idle_timeout=idle_timeout, on_wait=on_wait)) as recs:
        async for rec in recs:
            try:
                item = model.model_validate_json(rec.value)
            except (ValidationError, ValueError) as exc:
                if on_invalid:
                    on_invalid(rec.value, exc)
                continue
            if where.until is not None and getattr(item, "published_at", None) and item.published_at > where.until:
                continue
            if where(item):
                yield item


def identity(item: BaseModel) -> str:
    """What makes a record the same record when delivery repeats it (consumers dedupe by it)."""
    if isinstance(item, EnrichedArticle):
        return item.article_id
    if isinstance(item, DeadLetter):
        return f"{item.source_topic}:{item.partition}:{item.offset}:{item.reason}"
    return str(getattr(item, "id"))


def event_time(item: BaseModel) -> datetime | None:
    """When what a record describes happened (an article's ``published_at``), not when it reached Kafka."""
    if isinstance(item, PositionChange):
        return item.current.published_at
    if isinstance(item, EnrichedArticle):
        return item.article.published_at
    return getattr(item, "published_at", None)


async def collect(kind: str, **kwargs: Any) -> list[BaseModel]:
    return [item async for item in read(kind, **kwargs)]
