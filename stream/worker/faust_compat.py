"""Faust's pre-commit flush must wait for every table write it is about to commit past.

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

if TYPE_CHECKING:
    from faust.transport.producer import ProducerBuffer

log = logging.getLogger("stream.producer_flush")

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

    if not _originals:
        _originals["put"], _originals["flush"] = ProducerBuffer.put, ProducerBuffer.flush
    ProducerBuffer.put = _put  # type: ignore[method-assign]
    ProducerBuffer.flush = _flush  # type: ignore[method-assign]


def set_current_event(event: Any) -> None:
    """Make ``event`` Faust's current event: its RocksDB store finds the partition to write through it."""
    import faust.streams

    faust.streams._current_event.set(weakref.ref(event))


def committed_offset(consumer: Any, tp: Any) -> int | None:
    """The offset Faust last committed for ``tp`` (Faust has no public accessor)."""
    return consumer._committed_offset.get(tp)


async def force_metadata_update(consumer: Any) -> None:
    """Ask the broker for fresh metadata (aiokafka has no public call for this)."""
    await consumer._client.force_metadata_update()
