"""The producer every command uses: idempotent, ``acks=all``, the same connection as the worker."""
from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaProducer

from stream.kafka.connection import client_options
from stream.kafka.topics import ARTICLES
from stream.settings import Settings


def producer_for(settings: Settings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        acks="all",
        enable_idempotence=True,
        max_request_size=settings.max_request_bytes,
        linger_ms=5,
        **client_options(settings),
    )


async def send_raw(items: Iterable[tuple[bytes | None, bytes]], settings: Settings, topic: str | None = None) -> int:
    """Send pre-built (key, value) pairs unvalidated: for tests and fault injection."""
    producer = producer_for(settings)
    await producer.start()
    n = 0
    try:
        topic = topic or ARTICLES.name(settings)
        for key, value in items:
            await producer.send(topic, value=value, key=key)
            n += 1
        await producer.flush()
    finally:
        await producer.stop()
    return n
