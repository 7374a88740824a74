"""``make demo``: a local broker, the worker, the sample articles, and what comes out.

Starts everything it needs and stops it all on Ctrl-C or when the samples are done.
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from stream.devtools import kafka_local
from stream.kafka import client
from stream.kafka.admin import ensure_topics
from stream.commands.pretty import render
from stream.commands.publish import publish
from stream.settings import PACKAGE_DIR, get_settings
from stream.worker.supervise import Worker

SAMPLES = PACKAGE_DIR / "samples" / "articles.jsonl"


async def _show(settings, expected: int, timeout: float, worker: Worker) -> int:
    """Wait for every article, then print the outputs in a fixed order, so every run reads the same.

    The enriched topic has several partitions, so arrival order differs between runs;
    records are printed by publication time and id instead (alerts likewise).
    """
    found: dict = {}
    deadline = time.monotonic() + timeout
    while len(found) < expected and time.monotonic() < deadline:
        if not worker.alive:
            print(f"the worker stopped; the end of its log:\n{worker.log_tail(30)}", flush=True)
            break
        async for item in client.read("enriched", settings=settings, from_beginning=True):
            found.setdefault(item.article_id, item)
        await asyncio.sleep(1.0)
    print("\n=== articles.enriched ===", flush=True)
    for item in sorted(found.values(), key=lambda e: (e.article.published_at, e.article_id)):
        print(render(item), "\n", flush=True)
    # the tracker runs after enrichment: give its last alert a moment
    await asyncio.sleep(3.0)
    print("=== alerts.position-changes ===", flush=True)
    alerts = {a.id: a async for a in client.read("alerts", settings=settings, from_beginning=True)}
    for alert in sorted(alerts.values(), key=lambda a: (a.current.published_at, a.id)):
        print(render(alert), "\n", flush=True)
    if not alerts:
        print("(no position changes)")
    letters = [d async for d in client.read("dlq", settings=settings, from_beginning=True)]
    print(f"=== articles.dlq: {len(letters)} dead letters ===")
    for d in sorted(letters, key=lambda d: (d.source_topic, d.partition or 0, d.offset or 0)):
        print(render(d))
    return len(found)


def main() -> int:
    # a fresh broker moves partition leaders once while it settles; aiokafka retries that
    # by itself, and its warning about it is noise in a demo
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    settings = get_settings()
    inputs = sys.argv[1:] or [str(SAMPLES)]
    # a broker of its own with fresh storage, so a second `make demo` shows the same run as the first
    # (on a kept broker the re-published samples would rightly go to the dead-letter topic as duplicates)
    data_dir = Path(os.environ.get("STANCE_DEMO_DATA_DIR", "var/demo-kafka")).resolve()
    broker_args = ["--data-dir", str(data_dir)]
    if kafka_local.main(["status", *broker_args]) != 0 and data_dir.exists():
        shutil.rmtree(data_dir)
    print(f"starting a local Kafka broker ({kafka_local.KAFKA_VERSION}) on port {settings.kafka_port} ...", flush=True)
    if kafka_local.main(["up", *broker_args]) != 0:
        return 1
    worker = None
    try:
        created = asyncio.run(ensure_topics(settings))
        print(f"topics ready ({len(created)} created)", flush=True)
        env = {**os.environ, "STANCE_APP_ID": os.environ.get("STANCE_APP_ID", "stance-demo")}
        worker = Worker(env, Path("var"), name="demo-worker").start()
        print(f"worker started (pid {worker.pid}, log {worker.log_path})", flush=True)
        summary = asyncio.run(publish(inputs, settings, progress=False))
        print(f"published: {summary.line()}", flush=True)
        for problem in summary.problems:
            print("  " + problem)
        got = asyncio.run(_show(settings, summary.sent, timeout=180, worker=worker))
        print(f"\n{got}/{summary.sent} articles enriched.", flush=True)
        if sys.stdin.isatty() and worker.alive:
            base = f"http://{settings.web_host}:{settings.web_port}"
            print(f"The worker is still running: {base}/alerts, {base}/actors/Brazil, {base}/health", flush=True)
            try:
                input("Press Enter to stop it. ")
            except EOFError:
                pass
        return 0 if got >= summary.sent else 1
    except KeyboardInterrupt:
        print("\ninterrupted; stopping", flush=True)
        return 130
    finally:
        if worker is not None:
            worker.stop(30)
        if not os.environ.get("STANCE_DEMO_KEEP_BROKER"):
            kafka_local.main(["down", *broker_args])


if __name__ == "__main__":
    sys.exit(main())
