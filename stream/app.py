"""The Faust app and its topics: thin wiring, all settings from :mod:`stream.settings`.

Keys are chosen for ordering: articles and enriched records by article id,
stances and alerts by actor id, so one actor's statements stay in order in
one partition and the positions table is partitioned by actor.
"""
from __future__ import annotations

import ssl

import faust

from stream import codec, producer_flush
from stream.logs import logging_config
from stream.settings import Settings, get_settings


def broker_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    proto = settings.security_protocol
    if proto == "PLAINTEXT":
        return None
    context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
    if proto == "SSL":
        return faust.SSLCredentials(context)
    if proto not in {"SASL_SSL", "SASL_PLAINTEXT"}:
        raise ValueError(f"unsupported security protocol {proto}")
    password = settings.password()
    if not settings.sasl_username or password is None:
        raise ValueError(f"STANCE_SECURITY_PROTOCOL={proto} needs STANCE_SASL_USERNAME and STANCE_SASL_PASSWORD "
                         "(or STANCE_SASL_PASSWORD_FILE)")
    return faust.SASLCredentials(
        username=settings.sasl_username,
        password=password,
        mechanism=settings.sasl_mechanism,
        ssl_context=context if proto == "SASL_SSL" else None,
    )


def create_app(settings: Settings | None = None) -> faust.App:
    settings = settings or get_settings()
    codec.register()
    producer_flush.install()  # commits wait for every table write (see the module)
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
        producer_max_request_size=max(settings.max_message_bytes * 2, 1_048_576),
        consumer_max_fetch_size=max(settings.max_message_bytes * 2, 4_194_304),
        broker_max_poll_records=settings.batch_size * 4,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        stream_wait_empty=False,
        logging_config=logging_config(),
        autodiscover=False,
    )


settings = get_settings()
app = create_app(settings)

# The two consumed topics are ``internal`` so that Faust itself creates them with
# the configured partition count before subscribing: the positions table's
# changelog must have as many partitions as the stances topic it follows.
_parts = {"partitions": settings.partitions, "replicas": settings.replication_factor}
articles_topic = app.topic(settings.topic(settings.topic_articles), value_serializer="raw", key_serializer="raw",
                           internal=True, partitions=settings.input_partitions, replicas=settings.replication_factor)
stances_topic = app.topic(settings.topic(settings.topic_stances), value_serializer="raw", key_serializer="raw",
                          internal=True, **_parts)
enriched_topic = app.topic(settings.topic(settings.topic_enriched), **_parts)
alerts_topic = app.topic(settings.topic(settings.topic_alerts), **_parts)
dlq_topic = app.topic(settings.topic(settings.topic_dlq), **_parts)
