"""The pre-commit flush waits for every buffered table write (stream/producer_flush.py).

Faust's own ``ProducerBuffer`` is used as is, with a channel standing in for the
Kafka client: its ``publish_message`` takes 0.3 s, as aiokafka does when a
partition's batch is full and must drain first (a positions state is often
larger than a batch). No broker: this is the buffer's logic only; the kill -9
test in test_faults.py is the end-to-end check.
"""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from faust.transport.producer import ProducerBuffer
from faust.types.tuples import FutureMessage, PendingMessage

from stream.worker import faust_compat as producer_flush


class SlowChannel:
    """Hands a message over after ``delay`` seconds; the broker acks it ``ack`` seconds later."""

    def __init__(self, delay: float, ack: float = 0.02) -> None:
        self.delay, self.ack = delay, ack
        self.published: list[bytes] = []

    async def publish_message(self, fut: FutureMessage, wait: bool = False) -> None:
        await asyncio.sleep(self.delay)
        self.published.append(fut.message.value)
        asyncio.get_running_loop().call_later(self.ack, fut.set_result, "acked")


def _message(channel: SlowChannel, value: bytes) -> FutureMessage:
    return FutureMessage(PendingMessage(channel=channel, key=b"k", value=value, partition=0, timestamp=None,
                                        headers=None, key_serializer=None, value_serializer=None, callback=None))


def _with_buffer(body):
    """Run ``body(buffer)`` on a started Faust ProducerBuffer, with our flush installed."""
    async def main():
        producer_flush.install()
        buffer = ProducerBuffer()
        buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
        await buffer.start()
        try:
            return await body(buffer)
        finally:
            await buffer.stop()
    return asyncio.run(main())


def _put_slow(buffer: ProducerBuffer, n: int, delay: float) -> tuple[SlowChannel, list[FutureMessage]]:
    channel = SlowChannel(delay)
    futs = [_message(channel, b"%d" % i) for i in range(n)]
    for fut in futs:
        buffer.put(fut)
    return channel, futs


def test_faust_flush_returns_with_writes_still_queued() -> None:
    """The bug being worked around: Faust's flush gives up after 0.1 s without progress."""
    async def body(buffer: ProducerBuffer) -> tuple[int, int]:
        _, futs = _put_slow(buffer, 4, delay=0.3)
        await producer_flush._faust_flush(buffer)
        left = sum(not f.done() for f in futs)
        await asyncio.wait(futs, timeout=5)
        return left, sum(f.done() for f in futs)

    left, done_later = _with_buffer(body)
    assert left >= 3  # Faust returned after at most one message
    assert done_later == 4  # they were only slow, not lost: the flush itself stopped early


def test_installed_flush_waits_until_every_buffered_write_is_acknowledged() -> None:
    async def body(buffer: ProducerBuffer) -> tuple[list[bool], list[bytes], int]:
        channel, futs = _put_slow(buffer, 4, delay=0.3)
        await buffer.flush()
        return [f.done() for f in futs], list(channel.published), buffer.size

    done, published, size = _with_buffer(body)
    assert done == [True] * 4
    assert published == [b"0", b"1", b"2", b"3"]
    assert size == 0


def test_writes_buffered_during_the_flush_are_left_to_the_next_commit() -> None:
    """A commit covers the writes made before it started; later ones must not keep it waiting."""
    async def body(buffer: ProducerBuffer) -> tuple[bool, bool]:
        _, (first,) = _put_slow(buffer, 1, delay=0.2)
        later = _message(SlowChannel(delay=2.0), b"after")
        flushing = asyncio.ensure_future(buffer.flush())
        await asyncio.sleep(0.05)
        buffer.put(later)
        await asyncio.wait_for(flushing, timeout=10)
        return first.done(), later.done()

    first_done, later_done = _with_buffer(body)
    assert first_done
    assert not later_done
