"""The wire contract: one pydantic model per Kafka message.

These models are the single source of truth. The JSON Schema files beside this
module are generated from them (``python -m schemas.export``) and a test fails
when the files drift. Every model carries ``schema_version`` so consumers can
tell payload generations apart during a rolling upgrade.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

Polarity = Literal["support", "oppose", "neutral"]
Tense = Literal["current", "past"]
ChangeKind = Literal["reversal", "softening"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Model(BaseModel):
    """Shared config: reject unknown fields on our own records, keep them frozen-free
    so pipeline code can build them step by step."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Span(_Model):
    """A character span into ``article.body`` exactly as received (Python str indices)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Article(BaseModel):
    """What arrives on the input topic. Unknown top-level fields are ignored (not
    rejected) because feeds carry extras; ``metadata`` is where they belong."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int = SCHEMA_VERSION
    id: str = Field(min_length=1, max_length=512)
    url: str | None = None
    source: str | None = None
    published_at: datetime
    title: str = ""
    body: str
    language: str = "en"
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("published_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        # Naive timestamps are taken as UTC so event-time ordering is total.
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)


class Mention(_Model):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Entity(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    name: str
    type: str
    aliases: list[str] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)


class Attribution(_Model):
    schema_version: int = SCHEMA_VERSION
    speaker: Span
    cue: Span
    content: Span
    speaker_entity_id: str | None = None
    kind: Literal["direct", "indirect", "reported"] = "indirect"


class ActorRef(_Model):
    id: str
    name: str
    type: str = "ORG"


class SpeakerRef(_Model):
    id: str
    name: str


class TopicRef(_Model):
    id: str
    label: str


class Evidence(_Model):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class StanceRecord(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    article_id: str
    published_at: datetime
    actor: ActorRef
    speaker: SpeakerRef | None = None
    topic: TopicRef
    target_text: str
    polarity: Polarity
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: Evidence
    tense: Tense = "current"
    stated_at: datetime | None = None
    condition: str | None = None
    extractor_version: str


class EnrichedArticle(_Model):
    schema_version: int = SCHEMA_VERSION
    article_id: str
    article: Article
    entities: list[Entity] = Field(default_factory=list)
    attributions: list[Attribution] = Field(default_factory=list)
    stances: list[StanceRecord] = Field(default_factory=list)
    processed_at: datetime = Field(default_factory=utcnow)
    pipeline_version: str


class Statement(_Model):
    """One side of a position change: the statement that set (or now sets) the position."""

    stance_id: str
    polarity: Polarity
    article_id: str
    published_at: datetime
    speaker: SpeakerRef | None = None
    evidence: str
    target_text: str = ""


class PositionChange(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    kind: ChangeKind
    actor: ActorRef
    topic: TopicRef
    previous: Statement
    current: Statement
    detected_at: datetime = Field(default_factory=utcnow)


class DeadLetter(_Model):
    schema_version: int = SCHEMA_VERSION
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    raw_payload: str = Field(description="The payload as received, decoded as UTF-8 with replacement, truncated to a setting.")
    payload_size: int = 0
    reason: str = Field(description="A short machine-readable reason, e.g. not_json, invalid_schema, empty_body.")
    error_detail: str = ""
    time: datetime = Field(default_factory=utcnow)


MESSAGE_MODELS: dict[str, type[BaseModel]] = {
    "Article": Article,
    "Entity": Entity,
    "Attribution": Attribution,
    "StanceRecord": StanceRecord,
    "EnrichedArticle": EnrichedArticle,
    "PositionChange": PositionChange,
    "DeadLetter": DeadLetter,
}
