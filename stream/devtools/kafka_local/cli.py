"""``stance kafka up|down|status|logs`` (also ``python -m stream.devtools.kafka_local``)."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from stream.devtools.kafka_local.jars import KAFKA_VERSION, KafkaLocalError
from stream.devtools.kafka_local.broker import LocalBroker, tail


def _default_broker(args: argparse.Namespace) -> LocalBroker:
    from stream.settings import get_settings

    settings = get_settings()
    port = args.port or settings.kafka_port
    data_dir = Path(args.data_dir) if args.data_dir else None
    return LocalBroker(settings.kafka_home, port, data_dir=data_dir, num_partitions=settings.partitions)



def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stance kafka", description=f"Local Apache Kafka {KAFKA_VERSION} (KRaft, no Docker)")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_ in [("up", "start the broker (idempotent)"), ("down", "stop it"),
                        ("status", "is it running"), ("logs", "tail its logs")]:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--port", type=int, default=None, help="default: STANCE_KAFKA_PORT")
        p.add_argument("--data-dir", default=None, help="default: STANCE_KAFKA_HOME/data-<port>")
        if name in ("up", "down"):
            p.add_argument("--timeout", type=float, default=90.0 if name == "up" else 30.0)
        if name == "logs":
            p.add_argument("-n", "--lines", type=int, default=40)
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return int(exc.code or 0)
    broker = _default_broker(args)
    try:
        if args.action == "up":
            pid = broker.pid()
            if pid is not None:
                print(f"Kafka {KAFKA_VERSION} already running on {broker.bootstrap} (pid {pid}, data {broker.data_dir})")
                return 0
            t0 = time.monotonic()
            broker.start(args.timeout)
            print(f"Kafka {KAFKA_VERSION} up on {broker.bootstrap} in {time.monotonic() - t0:.1f}s "
                  f"(pid {broker.pid()}, data {broker.data_dir}, logs {broker.server_log})")
            return 0
        if args.action == "down":
            if broker.stop(args.timeout):
                print(f"Kafka on {broker.bootstrap} stopped")
            else:
                print(f"no Kafka running from {broker.data_dir}")
            return 0
        if args.action == "status":
            st = broker.status()
            if st["running"]:
                print(f"Kafka {KAFKA_VERSION} running on {st['bootstrap']} (pid {st['pid']}, "
                      f"{'ready' if st['ready'] else 'NOT answering'}, data {st['data_dir']})")
                return 0 if st["ready"] else 1
            print(f"Kafka not running (data {st['data_dir']})")
            return 3
        if args.action == "logs":
            for path in (broker.stdout_log, broker.server_log):
                print(f"--- {path}")
                print(tail(path, args.lines))
            return 0
    except KafkaLocalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
