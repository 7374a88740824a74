"""``stance publish``: validate articles and send them to the input topic, keyed by id.

Validation is the same :func:`~stream.ingest.parse_article` the worker applies,
so what we refuse to send is exactly what the worker would dead-letter; the
reason is printed instead. The producer is idempotent with ``acks=all`` so a
retried send does not duplicate a message.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer

from stream.client import client_options
from stream.ingest import Rejection, parse_article
from stream.settings import Settings
from stream.sources import RawItem, iter_items


@dataclass
class PublishSummary:
    sent: int = 0
    rejected: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"sent {self.sent}, rejected {self.rejected}, duplicates {self.duplicates}"


def producer_for(settings: Settings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        acks="all",
        enable_idempotence=True,
        max_request_size=max(settings.max_message_bytes * 2, 1_048_576),
        linger_ms=5,
        **client_options(settings),
    )


async def send_raw(items: Iterable[tuple[bytes | None, bytes]], settings: Settings, topic: str | None = None) -> int:
    """Send pre-built (key, value) pairs unvalidated: for tests and fault injection."""
    producer = producer_for(settings)
    await producer.start()
    n = 0
    try:
        topic = topic or settings.topic(settings.topic_articles)
        for key, value in items:
            await producer.send(topic, value=value, key=key)
            n += 1
        await producer.flush()
    finally:
        await producer.stop()
    return n


async def publish(locations: Iterable[str], settings: Settings, *, validate: bool = True,
                  progress: bool | None = None) -> PublishSummary:
    summary = PublishSummary()
    items: list[RawItem] = [item for loc in locations for item in iter_items(loc)]
    bar = None
    if progress if progress is not None else sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="article", file=sys.stderr)
    producer = producer_for(settings)
    await producer.start()
    topic = settings.topic(settings.topic_articles)
    seen: set[str] = set()
    try:
        for item in items:
            parsed = parse_article(item.payload, settings)
            if isinstance(parsed, Rejection):
                if validate:
                    summary.rejected += 1
                    summary.problems.append(f"{item.origin}: {parsed.reason}: {parsed.detail}")
                    if bar:
                        bar.update()
                    continue
                key = None
            else:
                if parsed.id in seen:
                    summary.duplicates += 1
                    summary.problems.append(f"{item.origin}: duplicate id {parsed.id!r} in this run, not sent")
                    if bar:
                        bar.update()
                    continue
                seen.add(parsed.id)
                key = parsed.id.encode()
            await producer.send(topic, value=item.payload, key=key)
            summary.sent += 1
            if bar:
                bar.update()
        await producer.flush()
    finally:
        await producer.stop()
        if bar:
            bar.close()
    return summary
