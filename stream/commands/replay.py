"""``stance replay``: reprocess history into an isolated namespace, or rebuild live state.

A replay reads the live input topic, keeps the articles whose ``published_at``
falls in [since, until), sorts them by event time (then id) and feeds them,
through a one-partition input topic, to a real worker running under its own
app id (own consumer group, fresh tables) with every topic prefixed
``replay.NAME.``. Live consumers never see it. Because the order is event time
and the input has one partition, the same range always gives the same stance
records and the same alert ids. This is how a new model or knowledge base is
applied to history, how alerts are backtested, and how a bad deploy is undone.

``--rebuild`` does the same for the whole input topic but then makes the
result the live state: it stops nothing itself (stop the live workers first),
deletes the live tables' changelogs and resets the live consumer group to the
start of the input topic and to the end of the stances topic, so the next
worker start re-derives every record and every position from the articles.
"""
from __future__ import annotations

import asyncio
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from schemas import Article
from stream.commands import UserError, option, parse_time, say
from stream.ids import sha_hex
from stream.ingest import Rejection, parse_article
from stream.kafka import client
from stream.kafka.admin import admin_client, delete_topics_and_wait, ensure_topics
from stream.kafka.connection import client_options
from stream.kafka.producer import send_raw
from stream.kafka.topics import ARTICLES, STANCES
from stream.settings import Settings, get_settings
from stream.worker.supervise import Worker


@dataclass
class ReplaySummary:
    name: str
    prefix: str
    selected: int = 0
    skipped_invalid: int = 0
    skipped_out_of_range: int = 0
    enriched: int = 0
    dead_lettered: int = 0
    stances: int = 0
    alerts: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"replay {self.name}: {self.selected} articles in range ({self.skipped_out_of_range} outside, "
                f"{self.skipped_invalid} invalid), enriched {self.enriched}, dead-lettered {self.dead_lettered}, "
                f"stances {self.stances}, alerts {self.alerts} in {self.seconds:.1f}s; topics {self.prefix}*")


def replay_name(since: datetime | None, until: datetime | None) -> str:
    raw = f"{since.isoformat() if since else ''}|{until.isoformat() if until else ''}"
    return "r" + sha_hex(raw, 8)


def namespace(settings: Settings, name: str) -> tuple[Settings, dict[str, str]]:
    """Settings (and the env that gives them to a worker) for the replay's isolated namespace."""
    prefix = f"{settings.topic_prefix}replay.{name}."
    env = {
        **settings.to_env(),
        "STANCE_TOPIC_PREFIX": prefix,
        "STANCE_APP_ID": f"{settings.app_id}-replay-{name}",
        "STANCE_INPUT_PARTITIONS": "1",
        "STANCE_DATADIR": str(Path(settings.datadir) / f"replay-{name}"),
        "STANCE_WEB_ENABLED": "false",
    }
    return settings.model_copy(update={"topic_prefix": prefix, "app_id": env["STANCE_APP_ID"],
                                       "input_partitions": 1}), env


async def select_articles(settings: Settings, since: datetime | None, until: datetime | None,
                          summary: ReplaySummary) -> list[tuple[Article, bytes]]:
    """Every valid article of the live input topic published in [since, until), in event-time order."""
    topic = ARTICLES.name(settings)
    consumer = AIOKafkaConsumer(enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=32 * 1024 * 1024, **client_options(settings))
    await consumer.start()
    chosen: dict[str, tuple[Article, bytes]] = {}
    try:
        tps = await client.topic_partitions(consumer, topic)
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        remaining = {tp for tp in tps if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=1000)
            for tp, records in batch.items():
                for rec in records:
                    if rec.offset >= ends[tp]:
                        continue
                    parsed = parse_article(rec.value, settings)
                    if isinstance(parsed, Rejection):
                        summary.skipped_invalid += 1
                    elif (since and parsed.published_at < since) or (until and parsed.published_at >= until):
                        summary.skipped_out_of_range += 1
                    else:
                        chosen.setdefault(parsed.id, (parsed, rec.value))  # first copy wins, as live
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return sorted(chosen.values(), key=lambda pair: (pair[0].published_at, pair[0].id))


async def accounted_for(ns_settings: Settings) -> tuple[set[str], set[tuple[int | None, int | None]]]:
    """Distinct enriched article ids, and the distinct input offsets that were dead-lettered.

    Delivery is at least once, so the topics can hold a record twice after a worker
    restart; counting messages instead of distinct inputs could end a replay early.
    """
    enriched = {e.article_id for e in await client.collect("enriched", settings=ns_settings, from_beginning=True)}
    source = ARTICLES.name(ns_settings)
    letters = {(d.partition, d.offset) for d in await client.collect("dlq", settings=ns_settings, from_beginning=True)
               if d.source_topic == source}
    return enriched, letters


async def wait_for_tracker(ns_settings: Settings, timeout: float, worker: Worker | None = None) -> int:
    """Wait until the replay worker has committed the stances topic to its end; returns that end.

    The worker commits a stance's offset only after the positions agent finished it
    (stream/worker/offsets.py), so a committed end means every stance was tracked.
    """
    topic = STANCES.name(ns_settings)
    consumer = AIOKafkaConsumer(group_id=ns_settings.app_id, enable_auto_commit=False, **client_options(ns_settings))
    await consumer.start()
    try:
        tps = await client.topic_partitions(consumer, topic)
        ends = await consumer.end_offsets(tps)
        deadline = time.monotonic() + timeout
        while True:
            behind = {tp: end for tp, end in ends.items() if end > 0 and (await consumer.committed(tp) or 0) < end}
            if not behind:
                return sum(ends.values())
            if worker is not None and not worker.alive:
                raise UserError(f"the replay worker exited with status {worker.proc.returncode}; see {worker.log_path}")
            if time.monotonic() > deadline:
                raise UserError(f"the replay worker did not track the stances to their end in {timeout:.0f}s: "
                                f"{len(behind)} partition(s) behind")
            await asyncio.sleep(0.5)
    finally:
        await consumer.stop()


async def namespace_topics(ns_settings: Settings) -> list[str]:
    """The topics a replay namespace left on the broker: its own and its app's table changelogs."""
    async with admin_client(ns_settings) as admin:
        return sorted(t for t in await admin.list_topics()
                      if t.startswith(ns_settings.topic_prefix) or t.startswith(f"{ns_settings.app_id}-"))


async def delete_namespace(ns_settings: Settings) -> list[str]:
    """Delete a replay's topics (and wait until the broker has), and its local table data."""
    names = await namespace_topics(ns_settings)
    if names:
        async with admin_client(ns_settings) as admin:
            await delete_topics_and_wait(admin, names)
    if Path(ns_settings.datadir).exists():
        shutil.rmtree(ns_settings.datadir)
    return names


async def replay(settings: Settings, *, since: datetime | None = None, until: datetime | None = None,
                 name: str | None = None, timeout: float = 3600.0, log_dir: Path = Path("var"),
                 fresh: bool = False) -> ReplaySummary:
    """Replay [since, until) into the namespace ``replay.NAME.``.

    A namespace is used once: re-running into one that exists would republish the
    same articles, which the worker rightly dead-letters as duplicate ids, and the
    summary would count nothing. So an existing namespace is refused (``fresh``
    deletes it first), and a run that fails deletes what it created.
    """
    name = name or replay_name(since, until)
    ns_settings, env = namespace(settings, name)
    existing = await namespace_topics(ns_settings)
    if existing and not fresh:
        raise UserError(f"replay {name} already exists ({len(existing)} topics {ns_settings.topic_prefix}*): "
                        "pass --fresh to delete and redo it, or --name for a new one")
    if existing:
        await delete_namespace(ns_settings)
    summary = ReplaySummary(name=name, prefix=ns_settings.topic_prefix)
    started = time.monotonic()
    articles = await select_articles(settings, since, until, summary)
    summary.selected = len(articles)
    try:
        await ensure_topics(ns_settings)
        await send_raw(((a.id.encode(), raw) for a, raw in articles), ns_settings)
        await _run_replay_worker(summary, articles, ns_settings, env, name, timeout, log_dir)
    except BaseException:
        await delete_namespace(ns_settings)  # a half-made replay must not block the next one
        raise
    summary.alerts = len({a.id for a in await client.collect("alerts", settings=ns_settings, from_beginning=True)})
    summary.seconds = time.monotonic() - started
    return summary


async def _run_replay_worker(summary: ReplaySummary, articles: list, ns_settings: Settings, env: dict[str, str],
                             name: str, timeout: float, log_dir: Path) -> None:
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(articles), unit="article", file=sys.stderr, desc=f"replay {name}")
    worker = Worker(env, log_dir, name=f"replay-{name}").start()
    try:
        deadline = time.monotonic() + timeout
        done = 0
        enriched: set[str] = set()
        letters: set = set()
        while done < len(articles):
            if not worker.alive:
                raise UserError(f"replay {name}: its worker exited with status {worker.proc.returncode}; "
                                f"see {worker.log_path}")
            if time.monotonic() > deadline:
                raise UserError(f"replay {name}: {done}/{len(articles)} processed after {timeout:.0f}s; "
                                f"see {worker.log_path}")
            await asyncio.sleep(1.0)
            enriched, letters = await accounted_for(ns_settings)
            now = len(enriched) + len(letters)
            if bar:
                bar.update(now - done)
            done = now
        summary.stances = await wait_for_tracker(ns_settings, max(deadline - time.monotonic(), 30.0), worker)
        summary.enriched = len(enriched)
        summary.dead_lettered = len(letters)
    finally:
        worker.stop()
        if bar:
            bar.close()


def group_members(responses: list) -> dict[str, list]:
    """Group id -> its members, from aiokafka's DescribeGroups responses, by field name.

    aiokafka returns the raw protocol structs; reading them by the schema's names
    instead of by tuple position keeps this right across protocol versions.
    """
    out: dict[str, list] = {}
    for resp in responses:
        groups_type = resp.SCHEMA.fields[resp.SCHEMA.names.index("groups")]
        names = groups_type.array_of.names
        for entry in resp.groups:
            row = dict(zip(names, entry))
            out[row["group"]] = list(row.get("members") or [])
    return out


async def rebuild(settings: Settings, tabledir: Path | None = None) -> list[str]:
    """Reset the live app so its next start re-derives everything from the input topic.

    ``tabledir`` is this machine's local table storage (RocksDB keeps the tables and
    their changelog offsets there): it goes too, or a restarted worker would believe
    its old tables were current. Other machines' table directories are theirs to clear.
    """
    notes: list[str] = []
    async with admin_client(settings) as admin:
        members = group_members(await admin.describe_consumer_groups([settings.app_id])).get(settings.app_id, [])
        if members:
            raise UserError(f"consumer group {settings.app_id} still has {len(members)} member(s): "
                            "stop the live workers first")
        existing = set(await admin.list_topics())
        changelogs = [t for t in existing if t.startswith(f"{settings.app_id}-") and t.endswith("-changelog")]
        if changelogs:
            await delete_topics_and_wait(admin, changelogs)
            notes.append(f"deleted {', '.join(sorted(changelogs))}")
    consumer = AIOKafkaConsumer(group_id=settings.app_id, enable_auto_commit=False, **client_options(settings))
    await consumer.start()
    try:
        offsets = {}
        for spec, to_end in ((ARTICLES, False), (STANCES, True)):
            topic = spec.name(settings)
            tps = await client.topic_partitions(consumer, topic)
            edge = await (consumer.end_offsets(tps) if to_end else consumer.beginning_offsets(tps))
            offsets.update(edge)
        if offsets:
            consumer.assign(list(offsets))  # aiokafka commits only for assigned partitions
            await consumer.commit(offsets)
            notes.append(f"reset group {settings.app_id}: input to start, stances to end ({len(offsets)} partitions)")
    finally:
        await consumer.stop()
    if tabledir is not None and Path(tabledir).exists():
        shutil.rmtree(tabledir)
        notes.append(f"deleted local table data {tabledir}")
    return notes


# --------------------------------------------------------------------------- command line

_rebuild = rebuild  # the command's --rebuild flag takes the name

OPTIONS = (
    option("--since", "since", type=str, default=None, help="ISO time: first published_at to include"),
    option("--until", "until", type=str, default=None, help="ISO time: first published_at to leave out"),
    option("--name", "name", type=str, default=None, help="Replay name (topic prefix replay.NAME.)"),
    option("--rebuild", "rebuild", is_flag=True, default=False, help="Reset live state to be rebuilt from the start"),
    option("--fresh", "fresh", is_flag=True, default=False,
           help="Delete the replay's namespace first if it exists (otherwise an existing one is refused)"),
)


async def command(self, since: str | None, until: str | None, name: str | None, rebuild: bool,
                  fresh: bool) -> None:
    """Reprocess a time range into an isolated namespace, or --rebuild the live state."""
    settings = get_settings()
    if rebuild:
        for note in await _rebuild(settings, tabledir=Path(self.app.conf.tabledir)):
            say(self, note)
        say(self, "live state reset: start the workers again to rebuild it from the input topic")
        return
    summary = await replay(settings, since=parse_time(since), until=parse_time(until, "--until"), name=name,
                           fresh=fresh)
    say(self, summary.line())
