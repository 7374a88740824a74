"""``stance topics``: create every topic of the registry with the configured partitions."""
from __future__ import annotations

from stream.commands import say
from stream.settings import get_settings

OPTIONS = ()


async def command(self) -> None:
    """Create every topic with the configured partitions (idempotent)."""
    from stream.kafka.admin import ensure_topics
    from stream.kafka.topics import topic_names

    created = await ensure_topics(get_settings())
    for name in topic_names(get_settings()):
        say(self, f"{name}: {'created' if name in created else 'exists'}")
