"""The webhook sink's delivery rules, against a real HTTP server on loopback (no broker)."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from stream.commands.alerts import Delivered, post_with_retries
from tests.fixtures.worker import serve_hook


async def _serve(statuses: list[int]):
    seen: list[tuple[str, bytes]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.headers.get("Idempotency-Key", ""), await request.read()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    runner, url = await serve_hook(handler)
    return runner, url, seen


def test_retries_server_errors_then_delivers():
    async def go():
        runner, url, seen = await _serve([503, 500, 200])
        try:
            async with aiohttp.ClientSession() as s:
                await post_with_retries(s, url, b'{"id": "a1"}', "a1", base_delay=0.01)
        finally:
            await runner.cleanup()
        return seen

    seen = asyncio.run(go())
    assert [k for k, _ in seen] == ["a1", "a1", "a1"]
    assert seen[-1][1] == b'{"id": "a1"}'


def test_client_error_is_final():
    async def go():
        runner, url, seen = await _serve([400])
        try:
            async with aiohttp.ClientSession() as s:
                with pytest.raises(PermissionError):
                    await post_with_retries(s, url, b"{}", "a2", base_delay=0.01)
        finally:
            await runner.cleanup()
        return seen

    assert len(asyncio.run(go())) == 1


def test_bounded_attempts_raise_on_unreachable():
    async def go():
        async with aiohttp.ClientSession() as s:
            with pytest.raises(ConnectionError):
                await post_with_retries(s, "http://127.0.0.1:9/none", b"{}", "a3", attempts=2, base_delay=0.01)

    asyncio.run(go())


def test_delivered_memory_is_bounded():
    d = Delivered(size=3)
    for i in range(5):
        d.add(str(i))
    assert "0" not in d and "1" not in d and "4" in d
