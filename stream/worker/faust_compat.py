"""Every place the project touches Faust's internals, stamped with the versions checked.

Checked against faust-streaming 0.15.3 and aiokafka 0.14.0 (the newest releases;
the code below is unchanged on faust-streaming's main branch). Two repairs live
here, each installed by :func:`install`:

1. the pre-commit flush waits for every table write it commits past;
2. an offset guard (:mod:`stream.worker.offsets`) decides what is committed for
   the two topics our agents consume.

## 1. Faust's pre-commit flush must wait for every table write it is about to commit past

Faust writes table changes (our ``positions`` and ``articles-seen``) to their
changelogs through its ``ProducerBuffer``, and flushes that buffer before it
commits the consumer's offsets. In faust-streaming 0.15.3 the flush gives up
when no buffered message was handed to the Kafka client for 0.1 s
(``ProducerBuffer.flush_atmost``), so a busy worker can commit a stance's offset
while the table write it caused is still queued. Killed then, that write is gone
for good: the stance is never delivered again, the positions table forgets a
statement, and the key's next statement is compared with an older one. That
raised an alert the live stream never raised (tests/test_faults.py, once in
CI: one extra alert after three kill -9).

:func:`install` keeps Faust's buffer and replaces two methods: ``put``
remembers the future of every buffered message, and ``flush`` waits until every
message that was buffered when it started is published and acknowledged by the
broker, or has failed. Writes made while it waits belong to later offsets and
are left to the next commit, so a steady stream cannot keep a commit waiting.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import TYPE_CHECKING, Any

from stream.worker.offsets import OffsetGuard, Partition, Ticket, Verdict

if TYPE_CHECKING:
    from faust.transport.producer import ProducerBuffer

log = logging.getLogger("stream.faust_compat")

#: Faust's own give-up time; a flush that goes past it is logged.
FAUST_FLUSH_STEP = 0.1

_ATTR = "_stance_unsettled"
_originals: dict[str, Any] = {}


def _faust_put(buffer: ProducerBuffer, fut: Any) -> None:
    """Faust's own ``ProducerBuffer.put`` (kept by :func:`install`)."""
    _originals["put"](buffer, fut)


async def _faust_flush(buffer: ProducerBuffer) -> None:
    """Faust's own ``ProducerBuffer.flush`` (kept by :func:`install`)."""
    await _originals["flush"](buffer)


def _unsettled(buffer: ProducerBuffer) -> set[asyncio.Future]:
    pending = buffer.__dict__.get(_ATTR)
    if pending is None:
        pending = buffer.__dict__[_ATTR] = set()
    return pending


def _put(self: ProducerBuffer, fut: Any) -> None:
    if self.app is not None and not self.app.conf.producer_threaded:  # a threaded producer resolves them in its thread
        pending = _unsettled(self)
        pending.add(fut)
        fut.add_done_callback(pending.discard)
    _faust_put(self, fut)


async def _flush(self: ProducerBuffer) -> None:
    waiting = set(_unsettled(self))
    if self.state != "running" or not waiting:
        return await _faust_flush(self)  # stopping or crashed: Faust's own rules
    started = time.monotonic()
    stalls = 0  # 0.1 s steps in which Faust's queue did not shrink: where Faust's own flush would return
    while waiting:
        size = self.size
        _, waiting = await asyncio.wait(waiting, timeout=FAUST_FLUSH_STEP)
        if waiting and size and self.size >= size:
            stalls += 1
        if waiting and self.state != "running":
            raise RuntimeError(f"Cannot flush: producer buffer is {self.state} with {len(waiting)} writes unsent")
    if stalls:
        log.info("commit waited for buffered table writes", extra={
            "seconds": round(time.monotonic() - started, 3), "stalled_steps": stalls})


def install() -> None:
    """Replace ``ProducerBuffer.put`` and ``flush`` (idempotent; affects every Faust app in the process)."""
    from faust.transport.producer import ProducerBuffer

    if "put" not in _originals:
        _originals["put"], _originals["flush"] = ProducerBuffer.put, ProducerBuffer.flush
    ProducerBuffer.put = _put  # type: ignore[method-assign]
    ProducerBuffer.flush = _flush  # type: ignore[method-assign]


def set_current_event(event: Any) -> None:
    """Make ``event`` Faust's current event: its RocksDB store finds the partition to write through it."""
    import faust.streams

    faust.streams._current_event.set(weakref.ref(event))


def on_agent_crash(agent: Any, handler: Any) -> None:
    """Call ``handler(agent, exc)`` after Faust's own error callback when an exception escapes ``agent``.

    ``App.agent`` passes its own ``on_error`` (it commits) and accepts no second one.
    """
    faust_handler = agent._on_error

    async def both(agent_: Any, exc: BaseException) -> None:
        if faust_handler is not None:
            await faust_handler(agent_, exc)
        await handler(agent_, exc)

    agent._on_error = both


def bound_shutdown(seconds: float) -> None:
    """After SIGTERM or SIGINT, exit anyway if the worker has not stopped within ``seconds``.

    mode's ``Worker._schedule_shutdown`` starts the graceful stop; with the broker away
    that stop waits on producer and consumer timeouts for a minute or more. Nothing is
    lost by cutting it short: what was not committed is redelivered to the next worker.
    """
    import os
    import threading

    from mode.worker import Worker

    original = Worker._schedule_shutdown

    def schedule(self: Any, signal: Any) -> None:
        if not getattr(self, "_stance_watchdog", None):
            def expire() -> None:
                log.warning("shutdown did not finish in time: exiting", extra={"seconds": seconds})
                logging.shutdown()
                os._exit(1)

            timer = threading.Timer(seconds, expire)
            timer.daemon = True
            timer.start()
            self._stance_watchdog = timer
        original(self, signal)

    Worker._schedule_shutdown = schedule  # type: ignore[method-assign]


def committed_offset(consumer: Any, tp: Any) -> int | None:
    """The offset Faust last committed for ``tp`` (Faust has no public accessor)."""
    return consumer._committed_offset.get(tp)


async def force_metadata_update(consumer: Any) -> None:
    """Ask the broker for fresh metadata (aiokafka has no public call for this)."""
    await consumer._client.force_metadata_update()


# --------------------------------------------------------------------------- 2. the offset guard
#
# Traced in the installed faust-streaming 0.15.3, as the reasons the guard exists:
#
# - ``Recovery.on_recovery_completed`` (faust/tables/recovery.py) resumes the stream partitions
#   *before* ``consumer.perform_seek()``; the fetcher hands out a batch meanwhile and aiokafka
#   advances its position as it does.
# - ``Consumer.perform_seek`` resets ``_read_offset`` while ``_drain_messages`` may still iterate
#   that stale batch: the next stale record looks like a forward jump, and ``_add_gap(tp, r + 1,
#   offset)`` stores ``[r + 1, offset + 1)``, an interval that includes the record itself.
# - Records below ``_read_offset`` are dropped by the drain loop (``DROPPED MESSAGE ROFF``); records
#   delivered while flow control is suspended, or from an older generation, are skipped by the
#   stream (in the pure-Python path they are even acked on a ``noack()`` stream).
# - ``_new_offset`` folds every gap into the acked offsets and holds a commit back only when
#   ``min(acked) - committed > 1`` (upstream issue #606); ``_commit_offsets`` updates
#   ``_committed_offset`` even when the commit failed.
#
# Our input and stances topics are neither compacted nor transactional, so every gap there is a
# skip. For those topics the guard's commit mark replaces ``_new_offset``; Faust's own ack lists
# are cleared (they only grow otherwise) and its gaps ignored. Other topics (the tables'
# changelogs) keep Faust's rules.

_guard: OffsetGuard | None = None


def _guarded_new_offset(self: Any, tp: Any) -> int | None:
    guard = _guard
    if guard is None or not guard.owns(tp.topic):
        return _originals["new_offset"](self, tp)
    acked = self._acked.get(tp)
    if acked:
        acked.clear()  # in place: the caller iterates over ``_acked``'s keys
    index = self._acked_index.get(tp)
    if index:
        index.clear()
    self._gap.pop(tp, None)
    return guard.commit_mark(Partition(tp.topic, tp.partition))


def install_offset_guard(app: Any, guard: OffsetGuard) -> "GuardedOffsets":
    """Let ``guard`` decide the commits for its topics in ``app`` (one guard per process)."""
    global _guard
    from faust.transport.consumer import Consumer

    if "new_offset" not in _originals:
        _originals["new_offset"] = Consumer._new_offset
    Consumer._new_offset = _guarded_new_offset  # type: ignore[method-assign]
    _guard = guard
    glue = GuardedOffsets(app, guard)

    @app.on_partitions_revoked.connect
    async def _revoked(sender: Any, revoked: Any, **kwargs: Any) -> None:  # pragma: no cover - wiring
        guard.revoke(Partition(tp.topic, tp.partition) for tp in revoked)

    @app.on_partitions_assigned.connect
    async def _assigned(sender: Any, assigned: Any, **kwargs: Any) -> None:  # pragma: no cover - wiring
        guard.assign((Partition(tp.topic, tp.partition) for tp in assigned), time.monotonic())

    glue._receivers = (_revoked, _assigned)  # signals hold weak references
    return glue


def _tp(p: Partition) -> Any:
    from faust.types import TP

    return TP(p.topic, p.partition)


class GuardedOffsets:
    """The guard wired to a Faust app: admission of events, seeks, the periodic watch."""

    def __init__(self, app: Any, guard: OffsetGuard, *, stall_warn_seconds: float = 30.0) -> None:
        self.app = app
        self.guard = guard
        self.stall_warn_seconds = stall_warn_seconds
        self._receivers: tuple = ()
        self._warned: dict[Partition, float] = {}
        self._start_lock = asyncio.Lock()

    async def admit(self, event: Any) -> Ticket | None:
        """A ticket when ``event`` is the next record of its partition; None when it must be dropped."""
        from stream.worker import metrics

        msg = event.message
        p = Partition(msg.topic, msg.partition)
        now = time.monotonic()
        adm = self.guard.admit(p, msg.offset, now)
        if adm.verdict is Verdict.UNSTARTED:
            try:
                await self.start(p)
            except Exception as exc:  # the broker is away: drop the record; the watch starts it later
                log.warning("partition start failed; the record is fetched again later", extra={
                    "topic": p.topic, "partition": p.partition, "offset": msg.offset,
                    "error": f"{type(exc).__name__}: {exc}"})
                return None
            adm = self.guard.admit(p, msg.offset, time.monotonic())
        if adm.admitted:
            return adm.ticket
        metrics.OFFSETS_DROPPED.labels(p.topic, adm.verdict.value).inc()
        if adm.seek_to is not None:  # logged once per seek; every drop is counted in the metric
            log.info("offset ahead of the next expected one: dropped", extra={
                "topic": p.topic, "partition": p.partition, "offset": msg.offset, "expected": adm.seek_to})
            await self.seek(p, adm.seek_to, "ahead")
        return None

    async def start(self, p: Partition) -> None:
        """Look up where the unstarted partitions begin: the committed offset, or the log start.

        One round trip on the consumer's thread for every unstarted partition at once
        (the thread serves one request at a time, behind its fetches), under a lock so
        that the two agents do not ask twice.
        """
        from stream.worker import metrics

        async with self._start_lock:
            if self.guard.started(p):
                return
            todo = [q for q in self.guard.assigned() if not self.guard.started(q)]
            if p not in todo:
                return
            answers = await _starts_in_thread(self.app.consumer, [_tp(q) for q in todo])
            now = time.monotonic()
            for q in todo:
                committed, log_start = answers[_tp(q)]
                start = self.guard.start(q, committed, log_start, now)
                if start is None:
                    continue
                if start.skipped:
                    metrics.OFFSETS_SKIPPED.labels(q.topic).inc(start.skipped)
                    log.warning("offsets deleted by retention before they were processed", extra={
                        "topic": q.topic, "partition": q.partition, "committed": committed,
                        "log_start": log_start, "skipped": start.skipped})
                log.info("partition start", extra={"topic": q.topic, "partition": q.partition,
                                                    "offset": start.expected, "committed": committed})

    async def seek(self, p: Partition, offset: int, reason: str) -> None:
        """Seek on the consumer's own thread; offsets retention deleted meanwhile are skipped."""
        from stream.worker import metrics

        metrics.OFFSET_SEEKS.labels(p.topic, reason).inc()
        log.info("seek back to the next expected offset", extra={
            "topic": p.topic, "partition": p.partition, "offset": offset, "reason": reason})
        try:
            log_start = await _seek_in_thread(self.app.consumer, _tp(p), offset)
        except Exception as exc:  # the watch re-arms it
            log.warning("seek failed", extra={"topic": p.topic, "partition": p.partition, "offset": offset,
                                               "error": f"{type(exc).__name__}: {exc}"})
            return
        if offset < log_start:
            skipped = self.guard.skip_to(p, log_start)
            if skipped:
                metrics.OFFSETS_SKIPPED.labels(p.topic).inc(skipped)
                log.warning("offsets deleted by retention before they were processed", extra={
                    "topic": p.topic, "partition": p.partition, "log_start": log_start, "skipped": skipped})

    def current(self, ticket: Ticket) -> bool:
        return self.guard.current(ticket)

    def finish(self, ticket: Ticket) -> bool:
        return self.guard.finish(ticket, time.monotonic())

    async def rewind(self, ticket: Ticket, reason: str) -> None:
        """Process ``ticket``'s record again (and whatever was admitted after it)."""
        offset = self.guard.rewind(ticket, time.monotonic())
        if offset is not None:
            await self.seek(ticket.partition, offset, reason)

    async def watch(self) -> None:
        """Periodic: start idle partitions, re-seek stuck ones, report commit stalls (never raises)."""
        try:
            await self._watch()
        except Exception as exc:  # a broker outage, say: the next round tries again
            log.warning("offset watch failed", extra={"error": f"{type(exc).__name__}: {exc}"})

    async def _watch(self) -> None:
        from stream.worker import metrics

        consumer = self.app.consumer
        now = time.monotonic()
        for p in self.guard.assigned():
            tp = _tp(p)
            waited = self.guard.unstarted_since(p, now)
            if waited is not None:
                if waited >= self.guard.seek_interval and self._has_records(consumer, tp, 0):
                    await self.start(p)  # nothing was delivered: maybe everything was skipped
                continue
            try:
                highwater = consumer.highwater(tp)
            except Exception:  # not fetched yet
                highwater = None
            target = self.guard.idle_seek(p, highwater, now)
            if target is not None:
                await self.seek(p, target, "idle")
            stall = self.guard.observe_commit(p, committed_offset(consumer, tp), now)
            seconds = stall.seconds if stall else 0.0
            metrics.COMMIT_STALLED.labels(p.topic, str(p.partition)).set(seconds)
            if stall and seconds >= self.stall_warn_seconds and now - self._warned.get(p, 0) >= 60:
                self._warned[p] = now
                log.warning("commits have not moved while records were processed", extra={
                    "topic": p.topic, "partition": p.partition, "seconds": round(seconds, 1),
                    "commit_mark": stall.mark, "committed": stall.committed})

    @staticmethod
    def _has_records(consumer: Any, tp: Any, floor: int) -> bool:
        try:
            high = consumer.highwater(tp)
        except Exception:
            return False
        return high is not None and high > floor


async def _starts_in_thread(consumer: Any, tps: list[Any]) -> dict[Any, tuple[int | None, int]]:
    """(committed offset as the broker has it, log start offset) per partition, in one thread call."""
    thread = consumer._thread
    aio = thread._ensure_consumer()

    async def ask() -> dict[Any, tuple[int | None, int]]:
        begins = await aio.beginning_offsets(tps)
        committed = await asyncio.gather(*(aio.committed(tp) for tp in tps))
        return {tp: (c, begins.get(tp) or 0) for tp, c in zip(tps, committed)}

    return await thread.call_thread(ask)


async def _seek_in_thread(consumer: Any, tp: Any, offset: int) -> int:
    """Seek ``tp`` to ``offset`` (or the log start if retention deleted it) the way Faust's
    ``seek_wait`` does, in one thread call; returns the log start offset."""
    thread = consumer._thread
    aio = thread._ensure_consumer()

    async def go() -> int:
        begin = (await aio.beginning_offsets([tp])).get(tp) or 0
        await thread._seek_wait(aio, {tp: max(offset, begin)})
        return begin

    return await thread.call_thread(go)


def broker_connected(app: Any) -> bool | None:
    """Whether the consumer's client has a live connection to some broker (None before it starts)."""
    try:
        client = app.consumer._thread._ensure_consumer()._client
    except Exception:
        return None
    conns = getattr(client, "_conns", None) or {}
    return any(getattr(conn, "connected", lambda: False)() for conn in conns.values())
