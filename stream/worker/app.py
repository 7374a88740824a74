"""The Faust app and its topics: thin wiring, all settings from :mod:`stream.settings`.

The topics come from the one registry (:mod:`stream.kafka.topics`, which says
why each is keyed as it is); the broker connection from
:mod:`stream.kafka.connection`, the same builder the aiokafka clients use.
"""
from __future__ import annotations

from typing import Any

import faust

from stream import codec
from stream.kafka.connection import Connection
from stream.kafka.topics import ALERTS, ARTICLES, DLQ, ENRICHED, STANCES, TopicSpec
from stream.settings import Settings, get_settings
from stream.worker import faust_compat
from stream.worker.logs import logging_config


class OrjsonCodec(faust.Codec):
    """:mod:`stream.codec` as a Faust codec (``value_serializer="orjson"``)."""

    def _dumps(self, obj: Any) -> bytes:
        return codec.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return codec.loads(s)


def register_codec() -> None:
    """Make ``value_serializer="orjson"`` available to Faust (idempotent)."""
    faust.serializers.codecs.register(codec.CODEC_NAME, OrjsonCodec())


def broker_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    return Connection.from_settings(settings).faust_credentials()


def create_app(settings: Settings | None = None) -> faust.App:
    settings = settings or get_settings()
    register_codec()
    faust_compat.install()  # commits wait for every table write (see the module)
    settings.datadir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    return faust.App(
        settings.app_id,
        broker=settings.broker,
        broker_credentials=broker_credentials(settings),
        store=settings.store,
        datadir=str(settings.datadir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        key_serializer="raw",
        value_serializer=codec.CODEC_NAME,
        web_enabled=settings.web_enabled,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        producer_max_request_size=settings.max_request_bytes,
        consumer_max_fetch_size=max(settings.max_message_bytes * 2, 4_194_304),
        broker_max_poll_records=settings.batch_size * 4,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        stream_wait_empty=False,
        logging_config=logging_config(fmt=settings.log_format),
        # Faust would turn every write to stdout/stderr into a log record: a traceback
        # printed by a library became one record per token
        worker_redirect_stdouts=False,
        autodiscover=False,
    )


def faust_topic(app: faust.App, spec: TopicSpec, settings: Settings) -> faust.TopicT:
    """The registry entry as a Faust topic.

    The two consumed topics are ``internal`` so that Faust itself creates them with
    the configured partition count before subscribing (the positions table's
    changelog must have as many partitions as the stances topic it follows), and
    raw: the agents validate the bytes themselves, so a bad payload is a dead letter.
    """
    parts = {"partitions": spec.partitions(settings), "replicas": settings.replication_factor}
    if spec.consumed:
        return app.topic(spec.name(settings), value_serializer="raw", key_serializer="raw", internal=True, **parts)
    return app.topic(spec.name(settings), **parts)


settings = get_settings()
app = create_app(settings)

articles_topic = faust_topic(app, ARTICLES, settings)
stances_topic = faust_topic(app, STANCES, settings)
enriched_topic = faust_topic(app, ENRICHED, settings)
alerts_topic = faust_topic(app, ALERTS, settings)
dlq_topic = faust_topic(app, DLQ, settings)
