"""The worker's Faust tables (agents write them, the web views read them)."""
from __future__ import annotations

import faust

from stream.worker.app import app, settings

# Where each article id was first seen ("partition:offset"). A redelivery of that
# same message is processed again (outputs are idempotent); the same id at another
# offset is a duplicate and is dead-lettered. use_partitioner: the changelog is
# partitioned by the article id like the input topic, not by the batch's last event.
seen_articles = app.Table("articles-seen", default=None, use_partitioner=True, partitions=settings.input_partitions,
                          schema=faust.Schema(key_type=str, value_type=str, key_serializer="raw", value_serializer="raw"))
# (actor id | topic id) -> KeyState as JSON; written while consuming the stances
# topic, which is keyed by actor id, so the table is partitioned by actor.
positions = app.Table("positions", default=None,
                      schema=faust.Schema(key_type=str, key_serializer="raw", value_serializer="orjson"))
