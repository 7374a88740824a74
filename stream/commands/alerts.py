"""``stance alerts --webhook URL``: deliver every alert to an HTTP endpoint.

At-least-once by construction: the consumer group's offset is committed only
after the endpoint answered 2xx, so a crash or an outage re-delivers instead
of losing. Alerts already delivered in this process (by id) are not posted
twice, and the id travels in the ``Idempotency-Key`` header so the receiver
can drop the rare repeat after a restart.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

import aiohttp
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from schemas import PositionChange
from stream.commands import option
from stream.kafka.connection import client_options
from stream.kafka.topics import ALERTS
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
                    raise PermissionError(f"webhook refused alert {alert_id}: HTTP {resp.status}")
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
    """Consume alerts with ``group`` and POST each one; returns how many were delivered."""
    topic = ALERTS.name(settings)
    consumer = AIOKafkaConsumer(topic, group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest", **client_options(settings))
    delivered = Delivered()
    count = 0
    await consumer.start()
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
                            log.error("skipping undecodable alert", extra={"offset": rec.offset, "error": str(exc)[:300]})
                        else:
                            if alert.id not in delivered:
                                await post_with_retries(session, url, rec.value, alert.id, attempts=attempts)
                                delivered.add(alert.id)
                                count += 1
                        await consumer.commit({TopicPartition(tp.topic, tp.partition): rec.offset + 1})
    finally:
        await consumer.stop()


# --------------------------------------------------------------------------- command line

OPTIONS = (
    option("--webhook", "webhook", type=str, required=True, help="URL to POST each alert to"),
    option("--group", "group", type=str, default="stance-alerts-webhook"),
)


async def command(self, webhook: str, group: str) -> None:
    """Deliver every position-change alert to a webhook, committing only after delivery."""
    await run_webhook(webhook, get_settings(), group=group)
