"""The one registry of Stance Stream topics.

Every place that needs the topic list (the Faust app, ``stance topics``, the
reader in :mod:`stream.kafka.client`, replays, the tests) reads it from
:data:`TOPICS`: kind, name (the setting that holds it; ``STANCE_TOPIC_PREFIX``
goes in front), key, value model, partitions and topic configs.

Keys are chosen for ordering: articles and enriched records by article id,
stances and alerts by actor id, so one actor's statements stay in order in one
partition and the positions table is partitioned by actor.
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from schemas import Article, DeadLetter, EnrichedArticle, PositionChange, StanceRecord
from stream.settings import Settings


@dataclass(frozen=True)
class TopicSpec:
    kind: str                 #: short name used by ``stance tail KIND`` and the client
    setting: str              #: the Settings field holding the topic name
    key: str                  #: what the message key is
    model: type[BaseModel]    #: the value's wire model
    consumed: bool = False    #: read by the worker's agents (raw bytes; Faust creates it, see worker.app)
    is_input: bool = False    #: partitions from ``input_partitions`` instead of ``partitions``

    def name(self, settings: Settings) -> str:
        return settings.topic(getattr(settings, self.setting))

    def partitions(self, settings: Settings) -> int:
        return settings.input_partitions if self.is_input else settings.partitions

    def configs(self, settings: Settings) -> dict[str, str]:
        return {"max.message.bytes": str(settings.max_request_bytes)}


ARTICLES = TopicSpec("articles", "topic_articles", "article id", Article, consumed=True, is_input=True)
ENRICHED = TopicSpec("enriched", "topic_enriched", "article id", EnrichedArticle)
STANCES = TopicSpec("stances", "topic_stances", "actor id", StanceRecord, consumed=True)
ALERTS = TopicSpec("alerts", "topic_alerts", "actor id", PositionChange)
DLQ = TopicSpec("dlq", "topic_dlq", "input key", DeadLetter)

#: In the order ``stance topics`` creates and prints them.
TOPICS: tuple[TopicSpec, ...] = (ARTICLES, ENRICHED, STANCES, ALERTS, DLQ)
BY_KIND: dict[str, TopicSpec] = {t.kind: t for t in TOPICS}


def topic_names(settings: Settings) -> list[str]:
    return [t.name(settings) for t in TOPICS]
