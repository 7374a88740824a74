"""The wire contract: models, generated JSON Schema files, and the codec."""
from __future__ import annotations

from datetime import datetime, timezone

import orjson
import pytest
from pydantic import ValidationError

from schemas import (
    ActorRef, Article, DeadLetter, EnrichedArticle, Evidence, PositionChange, SpeakerRef,
    StanceRecord, Statement, TopicRef,
)
from schemas.export import drift
from stream import codec

T0 = datetime(2026, 9, 2, 9, 30, tzinfo=timezone.utc)


def stance(**kw) -> StanceRecord:
    base = dict(
        id="s1", article_id="a1", published_at=T0,
        actor=ActorRef(id="Q159", name="Russia", type="GOV"),
        speaker=SpeakerRef(id="Q4158476", name="Dmitry Peskov"),
        topic=TopicRef(id="european-troops-in-ukraine", label="European troops in Ukraine"),
        target_text="European troops in Ukraine", polarity="oppose", confidence=0.9,
        evidence=Evidence(text="would not accept European troops", start=10, end=42),
        extractor_version="test",
    )
    base.update(kw)
    return StanceRecord(**base)


def test_schema_files_match_models():
    assert drift() == [], "run: python -m schemas.export"


def test_every_model_has_schema_version():
    from schemas import MESSAGE_MODELS

    for name, model in MESSAGE_MODELS.items():
        assert "schema_version" in model.model_fields, name


def test_article_round_trip_through_codec():
    art = Article(id="a1", published_at=T0, title="t", body="Body text.", url="https://e.org/1", source="Wire")
    back = Article.model_validate(codec.loads(codec.dumps(art)))
    assert back == art
    assert back.published_at.tzinfo is not None


def test_naive_timestamp_taken_as_utc():
    art = Article.model_validate({"id": "a", "published_at": "2026-09-02T09:30:00", "body": "x"})
    assert art.published_at == T0


def test_enriched_and_alert_round_trip():
    s = stance()
    enriched = EnrichedArticle(article_id="a1", article=Article(id="a1", published_at=T0, body="b"),
                               stances=[s], pipeline_version="t")
    assert EnrichedArticle.model_validate_json(codec.dumps(enriched)) == enriched
    stmt = Statement(stance_id="s1", polarity="oppose", article_id="a1", published_at=T0, evidence="e")
    change = PositionChange(id="x", kind="reversal", actor=s.actor, topic=s.topic, previous=stmt,
                            current=stmt.model_copy(update={"polarity": "support"}))
    assert PositionChange.model_validate_json(codec.dumps(change)) == change


def test_codec_passes_encoded_bytes_through():
    payload = codec.dumps(stance())
    assert codec.dumps(payload) == payload
    assert orjson.loads(payload)["polarity"] == "oppose"


@pytest.mark.parametrize("bad", [
    {"polarity": "maybe"},
    {"confidence": 1.5},
    {"confidence": -0.1},
])
def test_stance_validation_errors(bad):
    with pytest.raises(ValidationError):
        stance(**bad)


def test_article_requires_id_and_body():
    with pytest.raises(ValidationError):
        Article.model_validate({"published_at": "2026-09-02T09:30:00Z", "body": "x"})
    with pytest.raises(ValidationError):
        Article.model_validate({"id": "a", "published_at": "2026-09-02T09:30:00Z"})


def test_own_records_reject_unknown_fields():
    with pytest.raises(ValidationError):
        DeadLetter(source_topic="t", raw_payload="", reason="x", bogus=1)
