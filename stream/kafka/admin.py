"""Topic administration: create every Stance Stream topic with the configured partitions."""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from stream.kafka.connection import client_options
from stream.kafka.topics import TOPICS, topic_names  # noqa: F401  (topic_names: re-exported for callers)
from stream.settings import Settings


#: What aiokafka logs when the broker refuses us (as opposed to not answering); also what
#: :func:`ensure_topics` adds to its error, so the CLI can say so in its one line.
REFUSED = re.compile(r"Authentication|SASL|SSL|certificate", re.IGNORECASE)


@contextmanager
def _connection_errors() -> Iterator[list[str]]:
    """The messages aiokafka logs while connecting: its exception says only "Unable to bootstrap",
    the broker's reason (a refused password, an untrusted certificate) is in its log line."""
    reasons: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            reasons.append(record.getMessage())

    handler = _Keep(level=logging.ERROR)
    logger = logging.getLogger("aiokafka")
    logger.addHandler(handler)
    try:
        yield reasons
    finally:
        logger.removeHandler(handler)


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], deadline: float) -> None:
    """New partitions have no leader for a moment; producing then only logs retries, so wait."""
    while time.monotonic() < deadline:
        described = await admin.describe_topics(names)
        ready = all(
            t.get("error_code", 0) == 0 and t.get("partitions")
            and all(p.get("leader", -1) >= 0 for p in t["partitions"])
            for t in described
        )
        if ready:
            return
        await asyncio.sleep(0.2)


async def ensure_topics(settings: Settings, *, timeout: float = 60.0) -> list[str]:
    """Create missing topics; returns the names created. Waits for the broker up to ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        admin = AIOKafkaAdminClient(**client_options(settings))
        with _connection_errors() as reasons:
            try:
                await admin.start()
                break
            except KafkaConnectionError as exc:
                await admin.close()
                refused = next((r for r in reasons if REFUSED.search(r)), None)
                if refused is not None:  # wrong credentials or certificates: waiting will not help
                    raise KafkaConnectionError(f"{exc}: {refused}") from None
                if time.monotonic() > deadline:
                    raise
        await asyncio.sleep(1.0)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in TOPICS if t.name(settings) not in existing]
        wanted = [t.name(settings) for t in missing]
        if wanted:
            try:
                await admin.create_topics([
                    NewTopic(t.name(settings), t.partitions(settings), settings.replication_factor,
                             topic_configs=t.configs(settings))
                    for t in missing
                ])
            except TopicAlreadyExistsError:
                pass
            await _wait_for_leaders(admin, wanted, deadline)
        return wanted
    finally:
        await admin.close()


@asynccontextmanager
async def admin_client(settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client with the project's connection settings, closed on the way out."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def verify_topics(settings: Settings) -> list[str]:
    """Problems with existing topics a worker would read or write (wrong partition count)."""
    async with admin_client(settings) as admin:
        described = await admin.describe_topics([t.name(settings) for t in TOPICS])
    want = {t.name(settings): t.partitions(settings) for t in TOPICS}
    problems = []
    for topic in described:
        name = topic.get("topic")
        have = len(topic.get("partitions") or [])
        if name in want and have and have != want[name]:
            problems.append(f"topic {name} has {have} partitions, the settings say {want[name]}")
    return problems


async def delete_topics_and_wait(admin: AIOKafkaAdminClient, names: list[str], timeout: float = 60.0) -> None:
    """Delete topics and wait until the broker no longer lists them.

    Deletion is asynchronous in Kafka: a worker or a replay started before it completes
    would race it (and write into a topic that is about to vanish).
    """
    if not names:
        return
    await admin.delete_topics(names)
    deadline = time.monotonic() + timeout
    while set(names) & set(await admin.list_topics()) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
