"""``stance alerts --webhook URL``: deliver every alert to an HTTP endpoint.

At-least-once by construction: the consumer group's offset is committed only
after the endpoint answered 2xx, so a crash or an outage re-delivers instead
of losing. Alerts already delivered in this process (by id) are not posted
twice, and the id travels in the ``Idempotency-Key`` header so the receiver
can drop the rare repeat after a restart.

Two things cannot be delivered by retrying, and each goes to the dead-letter
topic with a reason before the offset is committed, so the sink goes on instead
of stopping or crash-looping on it: a record on the alerts topic that is not a
``PositionChange`` (``invalid_alert``), and an alert the endpoint refuses with a
4xx other than 408/429 (``webhook_refused``, with the status and the start of
the answer).
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

import aiohttp
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from schemas import PositionChange
from stream.commands import UserError, option
from stream.ingest import INVALID_ALERT, WEBHOOK_REFUSED, dead_letter
from stream.kafka.connection import client_options
from stream.kafka.producer import producer_for
from stream.kafka.topics import ALERTS, DLQ
from stream.settings import Settings, get_settings

log = logging.getLogger("stream.commands.alerts")


class Delivered:
    """A bounded memory of delivered alert ids."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, alert_id: str) -> bool:
        return alert_id in self._ids

    def add(self, alert_id: str) -> None:
        self._ids[alert_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)


class WebhookRefused(PermissionError):
    """The endpoint answered a 4xx that retrying cannot fix."""

    def __init__(self, alert_id: str, status: int, answer: str) -> None:
        super().__init__(f"webhook refused alert {alert_id}: HTTP {status} {answer}".strip())
        self.status = status


async def post_with_retries(session: aiohttp.ClientSession, url: str, body: bytes, alert_id: str, *,
                            attempts: int | None = None, base_delay: float = 0.5, max_delay: float = 30.0) -> None:
    """POST until a 2xx; 4xx other than 408/429 is final (raises), the rest back off exponentially.

    ``attempts=None`` retries forever: an alert is never dropped for a flaky endpoint.
    """
    delay = base_delay
    n = 0
    while True:
        n += 1
        try:
            async with session.post(url, data=body, headers={"Content-Type": "application/json",
                                                             "Idempotency-Key": alert_id}) as resp:
                if 200 <= resp.status < 300:
                    return
                if 400 <= resp.status < 500 and resp.status not in (408, 429):
                    raise WebhookRefused(alert_id, resp.status, (await resp.text())[:300])
                problem = f"HTTP {resp.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if attempts is not None and n >= attempts:
            raise ConnectionError(f"webhook failed {n} times for alert {alert_id}: {problem}")
        log.warning("webhook retry", extra={"alert_id": alert_id, "attempt": n, "problem": problem, "delay": delay})
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)


async def run_webhook(url: str, settings: Settings, *, group: str = "stance-alerts-webhook",
                      stop_after_idle: float | None = None, attempts: int | None = None) -> int:
    """Consume alerts with ``group`` and POST each one; returns how many were delivered.

    Undecodable records and refused alerts are dead-lettered (and counted in the log),
    then committed like delivered ones.
    """
    topic = ALERTS.name(settings)
    consumer = AIOKafkaConsumer(topic, group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest", **client_options(settings))
    producer = producer_for(settings)
    delivered = Delivered()
    count = 0

    async def to_dlq(rec, reason: str, detail: str) -> None:
        letter = dead_letter(raw=rec.value, reason=reason, detail=detail, source_topic=rec.topic, settings=settings,
                             partition=rec.partition, offset=rec.offset, key=rec.key)
        await producer.send_and_wait(DLQ.name(settings), value=letter.model_dump_json().encode(),
                                     key=letter.key.encode() if letter.key else None)
        log.warning("alert dead-lettered", extra={"reason": reason, "offset": rec.offset, "detail": detail[:300]})

    await consumer.start()
    await producer.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            idle = 0.0
            while True:
                batch = await consumer.getmany(timeout_ms=1000)
                if not batch:
                    idle += 1.0
                    if stop_after_idle is not None and idle >= stop_after_idle:
                        return count
                    continue
                idle = 0.0
                for tp, records in batch.items():
                    for rec in records:
                        try:
                            alert = PositionChange.model_validate_json(rec.value)
                        except (ValidationError, ValueError) as exc:
                            await to_dlq(rec, INVALID_ALERT, str(exc))
                        else:
                            if alert.id not in delivered:
                                try:
                                    await post_with_retries(session, url, rec.value, alert.id, attempts=attempts)
                                except WebhookRefused as exc:
                                    await to_dlq(rec, WEBHOOK_REFUSED, str(exc))
                                else:
                                    count += 1
                                delivered.add(alert.id)
                        await consumer.commit({TopicPartition(tp.topic, tp.partition): rec.offset + 1})
    finally:
        await producer.stop()
        await consumer.stop()


# --------------------------------------------------------------------------- command line

OPTIONS = (
    option("--webhook", "webhook", type=str, required=True, help="URL to POST each alert to"),
    option("--group", "group", type=str, default="stance-alerts-webhook"),
)


def check_url(url: str) -> str:
    """An http(s) URL with a host, or a :class:`UserError` (a typo must not retry forever)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"--webhook: {url!r} is not an http:// or https:// URL")
    return url


async def command(self, webhook: str, group: str) -> None:
    """Deliver every position-change alert to a webhook, committing only after delivery."""
    await run_webhook(check_url(webhook), get_settings(), group=group)
