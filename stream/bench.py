"""``stance bench``: throughput and latency of every stage, ratios taken in one run.

a  spaCy's full pipeline (nlp.pipe, every component) over every body, one process
b  our enrichment in one process                     -> b/a
c  our enrichment in the process pool, all cores     -> c/b
d  end to end: a real broker and worker, first publish to last enriched record -> d/c
e  latency at a steady offered load of half of d: publish -> enriched, publish -> alert
f  peak RSS of the worker and each pool process
Optionally (--workers2) d again with two workers and 4 input partitions.

Figures are printed as one table and written as JSON for comparing runs.
Machines are shared and noisy: compare ratios from one run, not seconds across runs.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from schemas import Article
from stream import client, kafka_local
from stream.admin import ensure_topics
from stream.ingest import Rejection, parse_article
from stream.pool import EnrichPool, default_workers
from stream.publish import producer_for
from stream.settings import PACKAGE_DIR, Settings, get_settings
from stream.sources import iter_items
from stream.supervise import Worker, rss_peak_kb

DEFAULT_INPUT = PACKAGE_DIR / "samples" / "articles.jsonl"


@dataclass
class Stage:
    name: str
    articles: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else float("nan")


def load_articles(path: str, limit: int | None) -> list[Article]:
    out = []
    settings = get_settings()
    for item in iter_items(path):
        parsed = parse_article(item.payload, settings)
        if not isinstance(parsed, Rejection):
            out.append(parsed)
        if limit and len(out) >= limit:
            break
    return out


def stage_a(articles: list[Article], settings: Settings) -> Stage:
    import spacy

    nlp = spacy.load(settings.spacy_model)
    bodies = [a.body for a in articles]
    list(nlp.pipe(bodies[:2]))  # warm up
    t = time.perf_counter()
    for _ in nlp.pipe(bodies, batch_size=16):
        pass
    return Stage("a spaCy full pipeline, 1 process", len(bodies), time.perf_counter() - t)


def stage_b(articles: list[Article], settings: Settings) -> Stage:
    from stream.nlp.pipeline import Enricher

    enricher = Enricher(settings)
    list(enricher.enrich_many(articles[:2]))
    t = time.perf_counter()
    for _ in enricher.enrich_many(articles):
        pass
    return Stage("b our enrichment, 1 process", len(articles), time.perf_counter() - t)


def stage_c(articles: list[Article], workers: int) -> tuple[Stage, dict[int, int]]:
    pool = EnrichPool(workers)
    pool.warm_up()

    async def go():
        # all at once: the executor queues them, so no process idles at a chunk boundary
        # waiting for the other to finish its last article
        await pool.enrich_batch(articles)

    t = time.perf_counter()
    asyncio.run(go())
    seconds = time.perf_counter() - t
    rss = {pid: rss_peak_kb(pid).get(pid, 0) for pid in pool.pids()}
    pool.close()
    return Stage(f"c our enrichment, pool of {pool.workers}", len(articles), seconds), rss


def _ns(bootstrap: str, tmp: Path, **extra: str) -> tuple[Settings, dict[str, str]]:
    tag = uuid.uuid4().hex[:6]
    env = {"STANCE_BROKER": f"kafka://{bootstrap}", "STANCE_APP_ID": f"bench-{tag}",
           "STANCE_TOPIC_PREFIX": f"bench{tag}.", "STANCE_DATADIR": str(tmp / tag),
           "STANCE_WEB_ENABLED": "false", **extra}
    base = get_settings()
    update = {"broker": env["STANCE_BROKER"], "app_id": env["STANCE_APP_ID"], "topic_prefix": env["STANCE_TOPIC_PREFIX"]}
    if "STANCE_INPUT_PARTITIONS" in extra:
        update["input_partitions"] = int(extra["STANCE_INPUT_PARTITIONS"])
    return base.model_copy(update=update), env


async def _publish_and_track(settings: Settings, articles: list[Article], rate: float | None,
                             timeout: float = 900.0) -> dict:
    """Publish (at ``rate`` per second, or as fast as possible) and time every enriched record and alert."""
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    alert_lat: list[float] = []
    producer = producer_for(settings)
    await producer.start()
    topic = settings.topic(settings.topic_articles)

    async def watch(kind: str) -> None:
        async for item in client.read(kind, settings=settings, from_beginning=True, follow=True, idle_timeout=0.2):
            now = time.perf_counter()
            if kind == "enriched":
                got.setdefault(item.article_id, now)
                if len(got) >= len(articles):
                    return
            else:
                aid = item.current.article_id
                if aid in sent:
                    alert_lat.append(now - sent[aid])

    enriched_task = asyncio.create_task(watch("enriched"))
    alerts_task = asyncio.create_task(watch("alerts"))
    await asyncio.sleep(1.0)
    start = time.perf_counter()
    try:
        for i, art in enumerate(articles):
            if rate:
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            payload = orjson.dumps(art.model_dump(mode="json"))
            sent[art.id] = time.perf_counter()
            await producer.send(topic, value=payload, key=art.id.encode())
            if rate:
                await producer.flush()
        await producer.flush()
        await asyncio.wait_for(enriched_task, timeout=timeout)
        await asyncio.sleep(1.0)
    finally:
        alerts_task.cancel()
        await producer.stop()
    last = max(got.values())
    lat = sorted(got[k] - sent[k] for k in got if k in sent)
    return {"seconds": last - start, "latencies": lat, "alert_latencies": sorted(alert_lat)}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    idx = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[idx]


def stage_stream(bootstrap: str, articles: list[Article], tmp: Path, *, rate: float | None = None,
                 workers: int = 1, extra_env: dict[str, str] | None = None) -> tuple[dict, dict[int, int]]:
    settings, env = _ns(bootstrap, tmp, **(extra_env or {}))
    asyncio.run(ensure_topics(settings))
    # each worker its own web port: Faust binds one even with web_enabled off
    procs = [Worker({**env, "STANCE_WEB_PORT": str(kafka_local.free_port())}, tmp, name=f"bench-worker-{i}",
                    loglevel="warn").start() for i in range(workers)]
    try:
        time.sleep(12)  # worker start-up, pool warm-up and group join are not part of the measurement
        dead = [w for w in procs if not w.alive]
        if dead:
            raise RuntimeError(f"bench worker exited:\n{dead[0].log_tail(20)}")
        result = asyncio.run(_publish_and_track(settings, articles, rate))
        rss: dict[int, int] = {}
        for w in procs:
            if w.pid:
                rss.update(rss_peak_kb(w.pid))
    finally:
        for w in procs:
            w.stop(60)
    return result, rss


def run(path: str, *, limit: int | None, out_json: Path, bootstrap: str | None, workers2: bool) -> dict:
    settings = get_settings()
    articles = load_articles(path, limit)
    if not articles:
        raise SystemExit(f"bench: no valid articles in {path}")
    words = statistics.mean(len(a.body.split()) for a in articles)
    print(f"{len(articles)} articles, {words:.0f} words on average, {default_workers(settings.pool_workers)} cores",
          file=sys.stderr, flush=True)
    a = stage_a(articles, settings)
    print(f"a: {a.rate:.2f}/s", file=sys.stderr, flush=True)
    b = stage_b(articles, settings)
    print(f"b: {b.rate:.2f}/s", file=sys.stderr, flush=True)
    c, pool_rss = stage_c(articles, settings.pool_workers)
    print(f"c: {c.rate:.2f}/s", file=sys.stderr, flush=True)

    broker = None
    tmp = Path(tempfile.mkdtemp(prefix="stance-bench-"))
    figures: dict = {}
    try:
        if bootstrap is None:
            broker = kafka_local.LocalBroker(settings.kafka_home, port=kafka_local.free_port(), data_dir=tmp / "kafka",
                                             die_with_parent=True)
            broker.start()
            bootstrap = broker.bootstrap
        d_res, worker_rss = stage_stream(bootstrap, articles, tmp)
        d = Stage("d end to end through Kafka", len(articles), d_res["seconds"])
        print(f"d: {d.rate:.2f}/s", file=sys.stderr, flush=True)
        e_res, _ = stage_stream(bootstrap, articles, tmp, rate=d.rate / 2)
        figures["e"] = {
            "offered_rate": d.rate / 2,
            "enriched_p50": _pct(e_res["latencies"], 0.50), "enriched_p95": _pct(e_res["latencies"], 0.95),
            "enriched_p99": _pct(e_res["latencies"], 0.99),
            "alerts": len(e_res["alert_latencies"]),
            "alert_p50": _pct(e_res["alert_latencies"], 0.50), "alert_p95": _pct(e_res["alert_latencies"], 0.95),
            "alert_p99": _pct(e_res["alert_latencies"], 0.99),
        }
        if workers2:
            w1, _ = stage_stream(bootstrap, articles, tmp, extra_env={"STANCE_INPUT_PARTITIONS": "4", "STANCE_POOL_WORKERS": "1"})
            w2, _ = stage_stream(bootstrap, articles, tmp, workers=2,
                                 extra_env={"STANCE_INPUT_PARTITIONS": "4", "STANCE_POOL_WORKERS": "1"})
            figures["scale_out"] = {"one_worker_rate": len(articles) / w1["seconds"],
                                    "two_workers_rate": len(articles) / w2["seconds"],
                                    "ratio": w1["seconds"] / w2["seconds"]}
    finally:
        if broker is not None:
            broker.stop()
    worker_total_mb = sum(worker_rss.values()) / 1024
    figures.update({
        "when": datetime.now(timezone.utc).isoformat(),
        "input": path, "articles": len(articles), "mean_words": words,
        "a": a.rate, "b": b.rate, "c": c.rate, "d": d.rate,
        "b_over_a": b.rate / a.rate, "c_over_b": c.rate / b.rate, "d_over_c": d.rate / c.rate,
        "rss_kb": {"pool_processes": pool_rss, "worker_tree": worker_rss}, "worker_tree_peak_mb": worker_total_mb,
    })
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    print_table(figures)
    return figures


def print_table(f: dict) -> None:
    e = f["e"]
    rows = [
        ("a spaCy full pipeline (articles/s)", f"{f['a']:.2f}", ""),
        ("b our enrichment, 1 process", f"{f['b']:.2f}", f"b/a = {f['b_over_a']:.2f}  (target >= 1.5)"),
        ("c our enrichment, process pool", f"{f['c']:.2f}", f"c/b = {f['c_over_b']:.2f}  (target >= 1.6)"),
        ("d end to end through Kafka", f"{f['d']:.2f}", f"d/c = {f['d_over_c']:.2f}  (target >= 0.85)"),
        (f"e publish->enriched at {e['offered_rate']:.2f}/s", f"p50 {e['enriched_p50']:.3f}s",
         f"p95 {e['enriched_p95']:.3f}s  p99 {e['enriched_p99']:.3f}s  (p99 target < 1.5 s)"),
        (f"e publish->alert ({e['alerts']} alerts)", f"p50 {e['alert_p50']:.3f}s",
         f"p95 {e['alert_p95']:.3f}s  p99 {e['alert_p99']:.3f}s"),
        ("f peak RSS, worker + pool (MB)", f"{f['worker_tree_peak_mb']:.0f}", "(target < 2048)"),
    ]
    if "scale_out" in f:
        s = f["scale_out"]
        rows.append(("two workers vs one (4 input partitions)", f"{s['two_workers_rate']:.2f}",
                     f"x{s['ratio']:.2f} of one worker's {s['one_worker_rate']:.2f}/s"))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'stage'.ljust(width)}  {'figure':>14}  ratio")
    for name, fig, ratio in rows:
        print(f"{name.ljust(width)}  {fig:>14}  {ratio}")
    for pid, kb in sorted(f["rss_kb"]["worker_tree"].items()):
        print(f"  pid {pid}: peak RSS {kb / 1024:.0f} MB")
