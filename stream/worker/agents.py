"""Faust agents, tables and web views: the thin layer over the pure modules.

enrich:  articles (raw bytes) -> validate -> dedup -> process pool -> articles.enriched + stances
track:   stances (keyed by actor) -> positions table -> alerts.position-changes
Anything that cannot be processed goes to articles.dlq with a reason; nothing is skipped silently.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone

import faust
from pydantic import ValidationError

from schemas import StanceRecord
from stream.worker import faust_compat, metrics
from stream.worker.app import alerts_topic, app, articles_topic, dlq_topic, enriched_topic, settings, stances_topic
from stream.worker.tables import positions, seen_articles
from stream.ingest import (
    DUPLICATE_ID,
    ENRICHMENT_FAILED,
    INVALID_STANCE,
    Rejection,
    dead_letter,
    parse_article,
)
from stream.pool import EnrichPool
from stream.positions import KeyState, apply_stance, position_key

log = logging.getLogger("stream.worker.agents")

_pool: EnrichPool | None = None


def pool() -> EnrichPool:
    global _pool
    if _pool is None:
        _pool = EnrichPool(settings.pool_workers, settings)
    return _pool


@app.on_after_configured.connect
def _configured(app: faust.App, **kwargs) -> None:  # pragma: no cover - wiring
    log.info("configured", extra={"settings": settings.model_dump(mode="json", exclude={"sasl_password"})})


@app.task(on_leader=False)
async def _warm_pool() -> None:
    await asyncio.get_running_loop().run_in_executor(None, pool().warm_up)
    log.info("enrichment pool ready", extra={"workers": pool().workers, "pids": pool().pids()})


async def send_dead_letter(event: faust.types.EventT | None, raw, reason: str, detail: str, source_topic: str) -> None:
    msg = event.message if event is not None else None
    letter = dead_letter(
        raw=raw,
        reason=reason,
        detail=detail,
        source_topic=source_topic,
        settings=settings,
        partition=msg.partition if msg else None,
        offset=msg.offset if msg else None,
        key=msg.key if msg else None,
    )
    metrics.DEAD_LETTERED.labels(reason).inc()
    log.warning("dead-lettered", extra={"reason": reason, "detail": detail[:300], "source_topic": source_topic,
                                         "partition": letter.partition, "offset": letter.offset, "key": letter.key})
    await dlq_topic.send(key=letter.key, value=letter)


@app.agent(articles_topic)
async def enrich(stream: faust.StreamT) -> None:
    """Validate and dedup in arrival order, enrich in parallel, publish and ack in arrival order.

    Acks are manual: an article is acknowledged (and so committed) only after its
    enriched record and stances were handed to the producer, which Faust flushes
    before it commits. Whatever is in flight when the worker stops is redelivered.
    """
    manual = stream.noack()
    window = asyncio.Semaphore(max(pool().workers * 4, settings.batch_size))
    pending: dict[str, str] = {}  # article id -> "partition:offset" while in flight
    queue: asyncio.Queue = asyncio.Queue()
    finisher = asyncio.ensure_future(_finish_in_order(manual, queue, window, pending))
    topic_name = articles_topic.get_topic_name()
    try:
        async for event in manual.events():
            if finisher.done():  # it only ends by raising: surface that, Faust restarts the agent
                finisher.result()
            metrics.ARTICLES_IN.inc()
            raw = event.message.value
            result = parse_article(raw, settings)
            if isinstance(result, Rejection):
                await send_dead_letter(event, raw, result.reason, result.detail, topic_name)
                await manual.ack(event)
                continue
            where = f"{event.message.partition}:{event.message.offset}"
            first = pending.get(result.id) or seen_articles.get(result.id)
            if isinstance(first, bytes):
                first = first.decode()
            if first is not None and first != where:
                await send_dead_letter(event, raw, DUPLICATE_ID,
                                       f"article id {result.id!r} was already received at {first}", topic_name)
                await manual.ack(event)
                continue
            await window.acquire()
            pending[result.id] = where
            metrics.POOL_QUEUE.inc()
            await queue.put((event, result, where, time.perf_counter(), asyncio.ensure_future(pool().enrich(result))))
    finally:
        finisher.cancel()


async def _finish_in_order(manual: faust.StreamT, queue: asyncio.Queue, window: asyncio.Semaphore,
                           pending: dict[str, str]) -> None:
    topic_name = articles_topic.get_topic_name()
    while True:
        event, article, where, started, fut = await queue.get()
        try:
            try:
                res = await fut
            except Exception as exc:  # a crash in the NLP must not stop the stream
                await send_dead_letter(event, event.message.value, ENRICHMENT_FAILED,
                                       f"{type(exc).__name__}: {exc}", topic_name)
            else:
                metrics.ENRICH_SECONDS.observe(time.perf_counter() - started)
                await enriched_topic.send(key=article.id, value=res.enriched)
                for (actor_id, stance), polarity in zip(res.stances, res.polarities):
                    await stances_topic.send(key=actor_id, value=stance)
                    metrics.STANCES.labels(polarity).inc()
                metrics.ENRICHED.inc()
                if res.rule_errors:
                    metrics.RULE_ERRORS.inc(res.rule_errors)
                log.info("enriched", extra={"article_id": article.id, "stances": len(res.stances)})
            # this task runs outside the agent's iteration; Faust's RocksDB store finds the partition
            # to write through the current event, so make it this article's event
            faust_compat.set_current_event(event)
            seen_articles[article.id] = where
            await manual.ack(event)
        finally:
            pending.pop(article.id, None)
            metrics.POOL_QUEUE.dec()
            window.release()


@app.agent(stances_topic)
async def track(stream: faust.StreamT) -> None:
    async for event in stream.events():
        raw = event.message.value
        try:
            stance = StanceRecord.model_validate_json(raw)
        except (ValidationError, ValueError) as exc:
            await send_dead_letter(event, raw, INVALID_STANCE, str(exc)[:2000], stances_topic.get_topic_name())
            continue
        key = position_key(stance.actor.id, stance.topic.id)
        stored = positions.get(key)
        state = KeyState.model_validate(stored) if stored is not None else None
        new_state, changes = apply_stance(
            state, stance,
            min_confidence=settings.min_confidence,
            history_limit=settings.history_per_key,
            now=datetime.now(timezone.utc),
        )
        if new_state == state:
            metrics.STANCES_IGNORED.inc()
            continue
        # Alert first and wait for the broker's ack, then record the state: a crash in
        # between re-sends the same alert id (consumers dedupe by id) but never loses it.
        for change in changes:
            fut = await alerts_topic.send(key=change.actor.id, value=change)
            await fut
            metrics.ALERTS.labels(change.kind).inc()
            log.info("position change", extra={"alert_id": change.id, "actor": change.actor.id,
                                                "topic": change.topic.id, "kind": change.kind,
                                                "article_id": change.current.article_id})
        positions[key] = new_state.model_dump(mode="json")
        metrics.STANCES_APPLIED.inc()


@app.timer(interval=5.0)
async def _lag() -> None:
    """Consumer lag per assigned partition: the end offset minus what we committed."""
    consumer = app.consumer
    for tp in consumer.assignment():
        try:
            high = consumer.highwater(tp)
        except Exception:  # not fetched yet
            continue
        committed = faust_compat.committed_offset(consumer, tp)
        if high is not None and committed is not None:
            metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(high - committed, 0))
