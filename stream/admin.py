"""Topic administration: create every Stance Stream topic with the configured partitions."""
from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from stream.client import client_options
from stream.settings import Settings


def topic_names(settings: Settings) -> list[str]:
    return [settings.topic(getattr(settings, a)) for a in
            ("topic_articles", "topic_enriched", "topic_stances", "topic_alerts", "topic_dlq")]


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
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            await admin.close()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1.0)
    try:
        existing = set(await admin.list_topics())
        wanted = [n for n in topic_names(settings) if n not in existing]
        if wanted:
            try:
                inputs = settings.topic(settings.topic_articles)
                await admin.create_topics([
                    NewTopic(n, settings.input_partitions if n == inputs else settings.partitions,
                             settings.replication_factor,
                             topic_configs={"max.message.bytes": str(max(settings.max_message_bytes * 2, 1_048_576))})
                    for n in wanted
                ])
            except TopicAlreadyExistsError:
                pass
            await _wait_for_leaders(admin, wanted, deadline)
        return wanted
    finally:
        await admin.close()
