"""The pool's processes enrich with the caller's Settings (passed to the initializer), not the environment's."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest

from schemas import Article, EnrichedArticle
from stream.pool import EnrichPool
from stream.settings import Settings

BODY = "The German government said it rejects the zorblax levy on imported widgets."


@pytest.mark.timeout(300)
def test_pool_processes_use_the_callers_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("STANCE_TOPICS_FILE", raising=False)
    topics = tmp_path / "topics.jsonl"
    topics.write_text(json.dumps({"id": "zorblax-levy", "label": "Zorblax levy", "keywords": [["zorblax"]],
                                  "priority": 9}) + "\n")
    art = Article(id="p-1", published_at=datetime(2026, 10, 15, 12, tzinfo=timezone.utc), title="t", body=BODY)

    def topic_ids(settings: Settings) -> set[str]:
        pool = EnrichPool(1, settings)
        try:
            res = asyncio.run(pool.enrich(art))
        finally:
            pool.close()
        return {s.topic.id for s in EnrichedArticle.model_validate_json(res.enriched).stances}

    assert "zorblax-levy" in topic_ids(Settings(topics_file=topics, strict=True))
    assert "zorblax-levy" not in topic_ids(Settings(strict=True))  # the environment has no such catalogue
