"""``stance kafka up|down|status|logs``: the local broker of :mod:`stream.devtools.kafka_local`."""
from __future__ import annotations

import asyncio

from stream.commands import argument

OPTIONS = (argument("action", type=str), argument("extra", nargs=-1, type=str))


async def command(self, action: str, extra: tuple[str, ...]) -> None:
    """Run a local Apache Kafka broker without Docker: up | down | status | logs."""
    from stream.devtools import kafka_local

    code = await asyncio.get_running_loop().run_in_executor(None, kafka_local.main, [action, *extra])
    if code:
        raise SystemExit(code)
