"""The local Kafka broker (stream/devtools/kafka_local/): it answers, round-trips messages, keeps data over a restart."""
from __future__ import annotations

import asyncio
import re
import time
import uuid

import pytest

from stream.devtools import kafka_local
from stream.devtools.kafka_local import KAFKA_VERSION, probe

# tests/conftest.py registers the same fixture (pytest_plugins); importing it here too keeps this module self-sufficient.
from tests.fixtures.kafka import kafka_broker  # noqa: F401
from tests.fixtures.data import ROOT



async def _produce(bootstrap: str, topic: str, values: list[bytes], **kw) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **kw)
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send_and_wait(topic, value, key=f"k{i}".encode())
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, n: int, group: str | None, timeout: float = 60.0, **kw) -> list[bytes]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
        enable_auto_commit=False, **kw,
    )
    await consumer.start()
    got: list[bytes] = []
    try:
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=1000)).values():
                got += [m.value for m in messages]
        if group is not None:
            await consumer.commit()
    finally:
        await consumer.stop()
    return got


def test_compose_image_matches_pinned_version():
    text = (ROOT / "docker-compose.yml").read_text()
    tags = re.findall(r"image:\s*['\"]?apache/kafka:([\w.\-]+)", text)
    assert tags == [KAFKA_VERSION]


def test_config_is_local_and_overridable(tmp_path):
    broker = kafka_local.LocalBroker(
        tmp_path, 29092, controller_port=29093, listeners=["SASL_SSL://127.0.0.1:29094"],
        extra_config={"num.io.threads": "2", "sasl.enabled.mechanisms": "SCRAM-SHA-512"},
    )
    conf = broker.config()
    assert broker.data_dir == tmp_path / "data-29092" and broker.bootstrap == "127.0.0.1:29092"
    assert conf["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093,SASL_SSL://127.0.0.1:29094"
    assert conf["advertised.listeners"] == "PLAINTEXT://127.0.0.1:29092,SASL_SSL://127.0.0.1:29094"
    assert conf["num.io.threads"] == "2" and conf["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert int(conf["message.max.bytes"]) >= 10 * 1024 * 1024 + 1024
    assert conf["process.roles"] == "broker,controller" and conf["offsets.topic.replication.factor"] == "1"


@pytest.mark.kafka
def test_broker_answers(kafka_broker):
    host, port = kafka_broker.bootstrap.split(":")
    assert probe(host, int(port)) == [1]
    status = kafka_broker.broker.status()
    assert status["running"] and status["ready"] and status["version"] == KAFKA_VERSION


@pytest.mark.kafka
def test_produce_consume_round_trip(kafka_broker):
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    values = [f"m{i}".encode() for i in range(20)] + [b"x" * (10 * 1024 * 1024)]  # a 10 MB message too
    asyncio.run(_produce(kafka_broker.bootstrap, topic, values, max_request_size=12 * 1024 * 1024))
    group = f"g-{topic}"
    fetch = {"max_partition_fetch_bytes": 16 * 1024 * 1024, "fetch_max_bytes": 32 * 1024 * 1024}
    got = asyncio.run(_consume(kafka_broker.bootstrap, topic, len(values), group, **fetch))
    assert sorted(got) == sorted(values)
    # the group committed: a new member of the same group gets nothing more
    assert asyncio.run(_consume(kafka_broker.bootstrap, topic, 1, group, timeout=3.0)) == []


@pytest.mark.kafka
def test_restart_keeps_data(kafka_broker):
    topic = f"durable-{uuid.uuid4().hex[:8]}"
    asyncio.run(_produce(kafka_broker.bootstrap, topic, [b"before-restart"]))
    pid = kafka_broker.broker.pid()
    kafka_broker.stop()
    assert not kafka_broker.broker.is_running()
    kafka_broker.start()
    assert kafka_broker.broker.pid() != pid
    assert asyncio.run(_consume(kafka_broker.bootstrap, topic, 1, None)) == [b"before-restart"]
