"""A real Apache Kafka broker without Docker: one combined broker+controller KRaft node.

The jars come from Maven Central (``mvn dependency:copy-dependencies``) and are cached under
``settings.kafka_home / f"kafka-{KAFKA_VERSION}/libs"``; a second run downloads nothing. Each broker
keeps its configuration, data, pid file and logs in its own data directory, so ``stop()`` followed by
``start()`` keeps every topic and message.

Only the standard library is used here (no faust, no aiokafka): the readiness probe speaks the Kafka
protocol itself (ApiVersions, then Metadata until the broker lists itself).

Command line (``python -m stream.devtools.kafka_local ...`` or ``stance kafka ...``)::

    up [--port P] [--data-dir D] [--timeout S]   start (idempotent) and wait until it answers
    down [--timeout S]                            stop the broker started by ``up``
    status                                        running or not, pid, bootstrap
    logs [-n N]                                   tail of the broker's logs

Modules: :mod:`.jars` (version pin, Maven download), :mod:`.probe` (Kafka protocol readiness
probe), :mod:`.broker` (:class:`LocalBroker`), :mod:`.cli` (``stance kafka ...``).
"""
from stream.devtools.kafka_local.jars import KAFKA_VERSION, KafkaLocalError, _have_jars, ensure_jars, libs_dir, tail
from stream.devtools.kafka_local.probe import free_port, port_in_use, probe
from stream.devtools.kafka_local.broker import LocalBroker
from stream.devtools.kafka_local.cli import main

__all__ = ["KAFKA_VERSION", "KafkaLocalError", "LocalBroker", "_have_jars", "ensure_jars", "free_port", "libs_dir", "main", "port_in_use", "probe", "tail"]
