"""Faust agents, tables and web views: the thin layer over the pure modules.

enrich:  articles (raw bytes) -> validate -> dedup -> process pool -> articles.enriched + stances
track:   stances (keyed by actor) -> positions table -> alerts.position-changes
Anything that cannot be processed goes to articles.dlq with a reason; nothing is skipped silently.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import faust
from pydantic import ValidationError

from schemas import Article, StanceRecord
from stream.worker import faust_compat, metrics
from stream.worker.health import EXIT_AGENT_CRASHED, HEALTH
from stream.worker.app import alerts_topic, app, articles_topic, dlq_topic, enriched_topic, settings, stances_topic
from stream.worker.tables import positions, seen_articles
from stream.ingest import (
    DUPLICATE_ID,
    ENRICHMENT_FAILED,
    INVALID_STANCE,
    PUBLISH_FAILED,
    TRACKING_FAILED,
    Rejection,
    dead_letter,
    parse_article,
)
from stream.pool import EnrichPool
from stream.worker.offsets import OffsetGuard, Ticket
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
    """Publish a dead letter and wait for the broker's ack: the caller finishes the record only after it."""
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
    log.warning("dead-lettered", extra={"reason": reason, "detail": detail[:300], "source_topic": source_topic,
                                         "partition": letter.partition, "offset": letter.offset, "key": letter.key})
    fut = await dlq_topic.send(key=letter.key, value=letter)
    await fut
    metrics.DEAD_LETTERED.labels(reason).inc()


#: The offset guard for the two consumed topics (see stream/worker/offsets.py): it alone
#: decides what is committed, and the agents process only each partition's next offset.
offsets = faust_compat.install_offset_guard(
    app, OffsetGuard([articles_topic.get_topic_name(), stances_topic.get_topic_name()]))

#: Attempts for an output send or a tracking step before the record is dead-lettered.
ATTEMPTS = 3
RETRY_SECONDS = (0.5, 2.0)


async def _finish(manual: faust.StreamT, event: faust.types.EventT, ticket: Ticket) -> None:
    """The record is done (published or dead-lettered): free its offset for the commit mark."""
    offsets.finish(ticket)
    await manual.ack(event)  # Faust's own bookkeeping; the guard's mark is what gets committed


@dataclass
class _InFlight:
    """An admitted article on its way through the pool, in arrival order."""

    event: faust.types.EventT
    ticket: Ticket
    article: Article
    where: str  # "partition:offset", remembered in articles-seen
    started: float
    result: asyncio.Future


async def _agent_crashed(agent: faust.types.AgentT, exc: BaseException) -> None:
    """An exception escaped an agent: report it on /health and exit non-zero (see stream/worker/health.py)."""
    HEALTH.fail(f"agent {agent.name} crashed: {type(exc).__name__}: {exc}")
    log.error("agent crashed: the worker exits so that its supervisor restarts it", exc_info=exc,
              extra={"agent": agent.name, "exit_in_seconds": settings.crash_exit_seconds})
    if not HEALTH.exiting:
        HEALTH.exiting = True
        asyncio.ensure_future(_exit_after_crash())


async def _exit_after_crash() -> None:
    await asyncio.sleep(settings.crash_exit_seconds)  # /health answers 503 meanwhile
    try:
        await asyncio.wait_for(app.stop(), timeout=15)
    except BaseException:  # stopping is best effort: the exit below is what matters
        pass
    finally:
        if _pool is not None:
            _pool.close()
        logging.shutdown()
        os._exit(EXIT_AGENT_CRASHED)


@app.agent(articles_topic)
async def enrich(stream: faust.StreamT) -> None:
    """Validate and dedup in arrival order, enrich in parallel, publish and finish in arrival order.

    Acks are manual and commits are the offset guard's: an article's offset can be
    committed only after its enriched record and stances (or its dead letter) were
    acknowledged by the broker. Whatever is in flight when the worker stops is redelivered.
    """
    manual = stream.noack()
    window = asyncio.Semaphore(max(pool().workers * 4, settings.batch_size))
    pending: dict[str, str] = {}  # article id -> "partition:offset" while in flight
    queue: asyncio.Queue[_InFlight] = asyncio.Queue()
    finisher = asyncio.ensure_future(_finish_in_order(manual, queue, window, pending))
    topic_name = articles_topic.get_topic_name()
    try:
        async for event in manual.events():
            if finisher.done():  # it only ends by raising: surface that, Faust restarts the agent
                finisher.result()
            ticket = await offsets.admit(event)
            if ticket is None:  # a duplicate delivery, or one past skipped records (the guard seeks back)
                await manual.ack(event)
                continue
            metrics.ARTICLES_IN.inc()
            raw = event.message.value
            result = parse_article(raw, settings)
            if isinstance(result, Rejection):
                await send_dead_letter(event, raw, result.reason, result.detail, topic_name)
                await _finish(manual, event, ticket)
                continue
            where = f"{event.message.partition}:{event.message.offset}"
            first = pending.get(result.id) or seen_articles.get(result.id)
            if isinstance(first, bytes):
                first = first.decode()
            if first is not None and first != where:
                await send_dead_letter(event, raw, DUPLICATE_ID,
                                       f"article id {result.id!r} was already received at {first}", topic_name)
                await _finish(manual, event, ticket)
                continue
            await window.acquire()
            pending[result.id] = where
            metrics.POOL_QUEUE.inc()
            await queue.put(_InFlight(event, ticket, result, where, time.perf_counter(),
                                      asyncio.ensure_future(pool().enrich(result))))
    finally:
        finisher.cancel()


async def _publish(item: _InFlight, res) -> None:
    """Send the enriched record and the stances, and wait until the broker acknowledged them all.

    A failed send is retried (the records are idempotent: keyed by article id, stance ids
    derived from content); when every attempt failed the article is dead-lettered.
    """
    article = item.article
    topic_name = articles_topic.get_topic_name()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            futures = [await enriched_topic.send(key=article.id, value=res.enriched)]
            for actor_id, stance in res.stances:
                futures.append(await stances_topic.send(key=actor_id, value=stance))
            await asyncio.gather(*futures)
        except Exception as exc:  # the producer gave up on a record
            detail = f"{type(exc).__name__}: {exc}"
            if attempt == ATTEMPTS:
                await send_dead_letter(item.event, item.event.message.value, PUBLISH_FAILED,
                                       f"outputs not acknowledged after {ATTEMPTS} attempts: {detail}", topic_name)
                return
            metrics.PUBLISH_RETRIES.labels(enriched_topic.get_topic_name()).inc()
            log.warning("output send failed, retrying", extra={"article_id": article.id, "attempt": attempt,
                                                                "detail": detail[:300]})
            await asyncio.sleep(RETRY_SECONDS[attempt - 1])
        else:
            break
    for polarity in res.polarities:
        metrics.STANCES.labels(polarity).inc()
    metrics.ENRICHED.inc()
    if res.rule_errors:
        metrics.RULE_ERRORS.inc(res.rule_errors)
    log.info("enriched", extra={"article_id": article.id, "stances": len(res.stances),
                                "partition": item.ticket.partition.partition, "offset": item.ticket.offset})


async def _finish_in_order(manual: faust.StreamT, queue: asyncio.Queue[_InFlight], window: asyncio.Semaphore,
                           pending: dict[str, str]) -> None:
    topic_name = articles_topic.get_topic_name()
    while True:
        item = await queue.get()
        try:
            try:
                res = await item.result
            except Exception as exc:  # a crash in the NLP must not stop the stream
                await send_dead_letter(item.event, item.event.message.value, ENRICHMENT_FAILED,
                                       f"{type(exc).__name__}: {exc}", topic_name)
            else:
                metrics.ENRICH_SECONDS.observe(time.perf_counter() - item.started)
                await _publish(item, res)
            if offsets.current(item.ticket):  # a revoked partition's table belongs to its new owner
                # this task runs outside the agent's iteration; Faust's RocksDB store finds the
                # partition to write through the current event, so make it this article's event
                faust_compat.set_current_event(item.event)
                seen_articles[item.article.id] = item.where
            await _finish(manual, item.event, item.ticket)
        finally:
            pending.pop(item.article.id, None)
            metrics.POOL_QUEUE.dec()
            window.release()


@app.agent(stances_topic)
async def track(stream: faust.StreamT) -> None:
    """Apply each stance to the positions table in offset order; alert on reversals.

    Acks are explicit: a stance is finished only after its alerts were acknowledged by
    the broker and its state written. A step that raises is retried, then dead-lettered
    with ``tracking_failed``; it is never acknowledged silently.
    """
    manual = stream.noack()
    topic_name = stances_topic.get_topic_name()
    async for event in manual.events():
        ticket = await offsets.admit(event)
        if ticket is None:
            await manual.ack(event)
            continue
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await _track_one(event, ticket)
                break
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"
                if attempt == ATTEMPTS:
                    try:
                        await send_dead_letter(event, event.message.value, TRACKING_FAILED,
                                               f"failed {ATTEMPTS} times: {detail}", topic_name)
                    except Exception:
                        await offsets.rewind(ticket, "failed")  # not finished: it is processed again
                        raise
                    break
                metrics.TRACK_RETRIES.inc()
                log.warning("tracking a stance failed, retrying", extra={
                    "partition": ticket.partition.partition, "offset": ticket.offset, "attempt": attempt,
                    "detail": detail[:300]})
                await asyncio.sleep(RETRY_SECONDS[attempt - 1])
        await _finish(manual, event, ticket)


async def _track_one(event: faust.types.EventT, ticket: Ticket) -> None:
    raw = event.message.value
    try:
        stance = StanceRecord.model_validate_json(raw)
    except (ValidationError, ValueError) as exc:
        await send_dead_letter(event, raw, INVALID_STANCE, str(exc)[:2000], stances_topic.get_topic_name())
        return
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
        return
    # Alert first and wait for the broker's ack, then record the state: a crash in
    # between re-sends the same alert id (consumers dedupe by id) but never loses it.
    for change in changes:
        fut = await alerts_topic.send(key=change.actor.id, value=change)
        await fut
        metrics.ALERTS.labels(change.kind).inc()
        log.info("position change", extra={"alert_id": change.id, "actor": change.actor.id,
                                            "topic": change.topic.id, "kind": change.kind,
                                            "article_id": change.current.article_id})
    if not offsets.current(ticket):  # revoked meanwhile: the new owner replays this stance
        log.info("partition revoked: positions write left to its new owner", extra={
            "partition": ticket.partition.partition, "offset": ticket.offset})
        return
    positions[key] = new_state.model_dump(mode="json")
    metrics.STANCES_APPLIED.inc()


faust_compat.on_agent_crash(enrich, _agent_crashed)
faust_compat.on_agent_crash(track, _agent_crashed)


@app.timer(interval=1.0)
async def _watch_offsets() -> None:
    """Re-seek partitions whose next record does not arrive, report commit stalls and the broker link."""
    await offsets.watch()
    connected = faust_compat.broker_connected(app)
    if connected is not None:
        metrics.BROKER_CONNECTED.set(1 if connected else 0)


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
