"""Pydantic v2 wire models for every Stance Stream topic (see ``schemas.models``)."""
from schemas.models import (
    MESSAGE_MODELS,
    SCHEMA_VERSION,
    ActorRef,
    Article,
    Attribution,
    DeadLetter,
    EnrichedArticle,
    Entity,
    Evidence,
    Mention,
    Polarity,
    PositionChange,
    Span,
    SpeakerRef,
    StanceRecord,
    Statement,
    TopicRef,
)

__all__ = [
    "MESSAGE_MODELS", "SCHEMA_VERSION", "ActorRef", "Article", "Attribution", "DeadLetter",
    "EnrichedArticle", "Entity", "Evidence", "Mention", "Polarity", "PositionChange", "Span",
    "SpeakerRef", "StanceRecord", "Statement", "TopicRef",
]
