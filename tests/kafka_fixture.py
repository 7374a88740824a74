"""The session-scoped ``kafka_broker`` fixture: a throwaway real Apache Kafka broker (no Docker).

Import it where fixtures are collected (``tests/conftest.py`` does)::

    from tests.kafka_fixture import kafka_broker  # noqa: F401

It starts a :class:`stream.devtools.kafka_local.LocalBroker` on a free port with a fresh data directory under
pytest's tmp dir; the jar cache is shared (``STANCE_KAFKA_HOME``, default ``~/.cache/stance-stream``),
so only the very first run on a machine downloads (``mvn``, ~20 s). The broker is stopped at the end of
the session even when tests fail, and dies with the pytest process if that is killed (PR_SET_PDEATHSIG).
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from stream.devtools.kafka_local import KafkaLocalError, LocalBroker, _have_jars, free_port, libs_dir, tail


@dataclass
class KafkaHandle:
    """What the fixture yields: ``.bootstrap`` (host:port), ``.url`` (kafka://...) and ``.broker``."""

    broker: LocalBroker
    startup_seconds: float = 0.0
    restarts: int = field(default=0)

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    @property
    def url(self) -> str:
        return self.broker.url

    def stop(self, timeout: float = 30.0) -> None:
        self.broker.stop(timeout)

    def start(self, timeout: float = 120.0) -> None:
        """Start again on the same port and data dir (data kept)."""
        self.broker.start(timeout)
        self.restarts += 1

    def restart(self, pause: float = 0.0) -> None:
        self.stop()
        if pause:
            time.sleep(pause)
        self.start()


def _home() -> Path:
    from stream.settings import Settings

    return Settings().kafka_home


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> Iterator[KafkaHandle]:
    home = _home()
    if shutil.which("java") is None:
        pytest.skip("the kafka tests need `java` (17+) to run a real broker")
    if not _have_jars(libs_dir(home)) and shutil.which("mvn") is None:
        pytest.skip(f"no cached Kafka jars in {libs_dir(home)} and no `mvn` to fetch them")
    data_dir = tmp_path_factory.mktemp("kafka")
    broker = LocalBroker(
        home, free_port(), data_dir=data_dir, controller_port=free_port(),
        num_partitions=1, die_with_parent=True,
    )
    t0 = time.monotonic()
    try:
        broker.start(timeout=120)
    except KafkaLocalError as exc:
        broker.stop(5)
        pytest.fail(f"could not start the test Kafka broker: {exc}", pytrace=False)
    handle = KafkaHandle(broker, startup_seconds=time.monotonic() - t0)
    try:
        yield handle
    finally:
        broker.stop(30)
        if "ERROR" in tail(broker.server_log, 200):  # shown with -s / -rP: evidence of a broker problem
            print(f"\n[kafka_broker] errors in {broker.server_log}:\n{tail(broker.server_log, 20)}")
