"""``stance bench``: throughput and latency of every stage, ratios taken in one run.

a  spaCy's full pipeline (nlp.pipe, every component) over every body, one process, with the
   same matrix library as our enrichment (STANCE_NLP_BLAS); a0 the same with spaCy's default
b  our enrichment in one process                     -> b/a
   b0 the same with the rules' attributions only (STANCE_ATTRIBUTION=rules): the learned
   attribution tagger's cost is b0/b
c  our enrichment in the process pool, all cores     -> c/b  (a, b, c and a0 timed in turns)
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
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from schemas import Article
from stream.devtools import kafka_local
from stream.kafka import client
from stream.kafka.admin import ensure_topics
from stream.ingest import Rejection, parse_article
from stream.pool import EnrichPool, default_workers
from stream.kafka.producer import producer_for
from stream.kafka.topics import ARTICLES
from stream.settings import PACKAGE_DIR, Settings, get_settings
from stream.commands.sources import iter_items
from stream.devtools.procstats import cpu_seconds, rss_peak_kb
from stream.worker.supervise import Worker

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


CHUNK = 32


def stage_abc(articles: list[Article], settings: Settings) -> tuple[Stage, Stage, Stage, Stage, Stage, dict[int, int]]:
    """a, b, c, a0 (a with spaCy's default blis) and b0 (b without the attribution tagger)
    timed in turns, CHUNK articles at a time.

    On a shared machine a neighbour's load comes and goes within seconds; taking turns makes it
    slow all four alike, so the ratios hold even when the rates move between runs. The pool gets
    each chunk all at once; the one process left finishing a chunk's last article costs c a few
    per cent, which we accept for ratios that do not swing with the neighbours.
    """
    import spacy

    from stream.nlp import backend
    from stream.nlp.enricher import Enricher

    backend.configure(settings.model_copy(update={"nlp_blas": "blis"}))
    nlp_default = spacy.load(settings.spacy_model)
    enricher = Enricher(settings)  # configures the settings' backend, which the next load uses too
    rules_only = Enricher(settings.model_copy(update={"attribution": "rules"}))
    nlp = spacy.load(settings.spacy_model)
    for model in (nlp, nlp_default):
        list(model.pipe([a.body for a in articles[:2]]))
    list(enricher.enrich_many(articles[:2]))
    list(rules_only.enrich_many(articles[:2]))
    pool = EnrichPool(settings.pool_workers, settings)
    pool.warm_up()

    def full(model):
        def run(chunk: list[Article]) -> None:
            for _ in model.pipe([a.body for a in chunk], batch_size=16):
                pass
        return run

    def ours(chunk: list[Article]) -> None:
        for _ in enricher.enrich_many(chunk, batch_size=16):
            pass

    def ours_rules(chunk: list[Article]) -> None:
        for _ in rules_only.enrich_many(chunk, batch_size=16):
            pass

    def pooled(chunk: list[Article]) -> None:
        asyncio.run(pool.enrich_batch(chunk))

    runs = [full(nlp), ours, pooled, full(nlp_default), ours_rules]
    seconds = [0.0] * len(runs)
    try:
        for k, i in enumerate(range(0, len(articles), CHUNK)):
            chunk = articles[i:i + CHUNK]
            for j in range(len(runs)):
                which = (j + k) % len(runs)  # rotate who goes first
                t = time.perf_counter()
                runs[which](chunk)
                seconds[which] += time.perf_counter() - t
        rss = {pid: rss_peak_kb(pid).get(pid, 0) for pid in pool.pids()}
    finally:
        pool.close()
    n = len(articles)
    return (Stage(f"a spaCy full pipeline ({settings.nlp_blas}), 1 process", n, seconds[0]),
            Stage("b our enrichment, 1 process", n, seconds[1]),
            Stage(f"c our enrichment, pool of {pool.workers}", n, seconds[2]),
            Stage("a0 spaCy full pipeline (spaCy's default blis), 1 process", n, seconds[3]),
            Stage("b0 our enrichment, rules' attributions only, 1 process", n, seconds[4]), rss)


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


def _cpu(worker_pids: list[int], broker_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far, by role: the pool processes, the workers' event loops, the broker, this client."""
    out = {"pool": 0.0, "worker_loop": 0.0, "broker": 0.0, "bench_client": 0.0}
    for root in worker_pids:
        for pid, sec in cpu_seconds(root).items():
            out["worker_loop" if pid == root else "pool"] += sec
    if broker_pid:
        out["broker"] = sum(cpu_seconds(broker_pid).values())
    out["bench_client"] = time.process_time()
    return out


async def _publish_and_track(settings: Settings, articles: list[Article], rate: float | None,
                             timeout: float = 900.0, worker_pids: list[int] = (), broker_pid: int | None = None) -> dict:
    """Publish (at ``rate`` per second, or as fast as possible) and time every enriched record and alert;
    also the CPU each role used from the first publish to the last enriched record."""
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    alert_lat: list[float] = []
    producer = producer_for(settings)
    await producer.start()
    topic = ARTICLES.name(settings)

    async def watch_enriched() -> None:
        # keys only (the article id): decoding every enriched record would take CPU from the
        # worker and the broker, which share the machine's cores with this reader
        async with aclosing(client.records("enriched", settings=settings, from_beginning=True, follow=True,
                                           idle_timeout=0.2)) as recs:
            async for rec in recs:
                got.setdefault(rec.key.decode(), time.perf_counter())
                if len(got) >= len(articles):
                    return

    async def watch_alerts() -> None:
        async for item in client.read("alerts", settings=settings, from_beginning=True, follow=True, idle_timeout=0.2):
            aid = item.current.article_id
            if aid in sent:
                alert_lat.append(time.perf_counter() - sent[aid])

    enriched_task = asyncio.create_task(watch_enriched())
    alerts_task = asyncio.create_task(watch_alerts())
    await asyncio.sleep(1.0)
    cpu_before = _cpu(list(worker_pids), broker_pid)
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
        cpu_after = _cpu(list(worker_pids), broker_pid)
        await asyncio.sleep(1.0)
    finally:
        alerts_task.cancel()
        await producer.stop()
    last = max(got.values())
    lat = sorted(got[k] - sent[k] for k in got if k in sent)
    cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
    return {"seconds": last - start, "latencies": lat, "alert_latencies": sorted(alert_lat), "cpu_seconds": cpu}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    idx = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[idx]


def stage_stream(bootstrap: str, articles: list[Article], tmp: Path, *, rate: float | None = None,
                 workers: int = 1, extra_env: dict[str, str] | None = None,
                 broker_pid: int | None = None) -> tuple[dict, dict[int, int]]:
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
        result = asyncio.run(_publish_and_track(settings, articles, rate, worker_pids=[w.pid for w in procs if w.pid],
                                                broker_pid=broker_pid))
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
    a, b, c, a0, b0, pool_rss = stage_abc(articles, settings)
    print(f"a: {a.rate:.2f}/s  b: {b.rate:.2f}/s  c: {c.rate:.2f}/s  a0: {a0.rate:.2f}/s  b0: {b0.rate:.2f}/s",
          file=sys.stderr, flush=True)

    broker = None
    tmp = Path(tempfile.mkdtemp(prefix="stance-bench-"))
    figures: dict = {}
    try:
        if bootstrap is None:
            broker = kafka_local.LocalBroker(settings.kafka_home, port=kafka_local.free_port(), data_dir=tmp / "kafka",
                                             die_with_parent=True)
            broker.start()
            bootstrap = broker.bootstrap
        d_res, worker_rss = stage_stream(bootstrap, articles, tmp, broker_pid=broker.pid() if broker else None)
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
        "a": a.rate, "b": b.rate, "c": c.rate, "d": d.rate, "a0_spacy_default_blis": a0.rate,
        "b0_rules_attribution": b0.rate, "attribution": settings.attribution,
        "nlp_blas": settings.nlp_blas,
        "d_cpu_seconds": d_res["cpu_seconds"], "d_seconds": d_res["seconds"], "cores": os.cpu_count() or 1,
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
        (f"a spaCy full pipeline, {f['nlp_blas']} (articles/s)", f"{f['a']:.2f}",
         f"a/a0 = {f['a'] / f['a0_spacy_default_blis']:.2f} (a0: spaCy's default blis, {f['a0_spacy_default_blis']:.2f}/s)"),
        (f"b our enrichment, 1 process (attribution: {f.get('attribution', 'rules')})", f"{f['b']:.2f}",
         f"b/a = {f['b_over_a']:.2f}  (target >= 1.0)"),
        ("b0 the same, rules' attributions only", f"{f.get('b0_rules_attribution', float('nan')):.2f}",
         f"b0/b = {f.get('b0_rules_attribution', float('nan')) / f['b']:.2f}  (the attribution tagger's cost)"),
        ("c our enrichment, process pool", f"{f['c']:.2f}", f"c/b = {f['c_over_b']:.2f}  (target >= 1.6)"),
        ("d end to end through Kafka", f"{f['d']:.2f}", f"d/c = {f['d_over_c']:.2f}  (target >= 0.85)"),
        (f"e publish->enriched at {e['offered_rate']:.2f}/s", f"p50 {e['enriched_p50']:.3f}s",
         f"p95 {e['enriched_p95']:.3f}s  p99 {e['enriched_p99']:.3f}s  (p99 target < 1.5 s)"),
        (f"e publish->alert ({e['alerts']} alerts)", f"p50 {e['alert_p50']:.3f}s",
         f"p95 {e['alert_p95']:.3f}s  p99 {e['alert_p99']:.3f}s"),
        (f"d CPU seconds by role (of {f['cores']} cores x d's time)", f"{f['cores'] * f['d_seconds']:.1f}",
         "  ".join(f"{k} {v:.1f}" for k, v in f["d_cpu_seconds"].items())),
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
