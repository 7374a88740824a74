"""Run the real worker (``python -m stream worker``) as a subprocess, for integration tests.

Each test gets its own topic prefix and app id on the shared session broker,
so tests never see each other's messages or consumer groups.
"""
from __future__ import annotations

import asyncio
import os
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson

from stream.kafka import client
from stream.settings import Settings
from stream.worker.supervise import Worker

__all__ = ["Worker", "current_positions", "free_port", "namespace_env", "serve_hook", "settings_for", "wait_for"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def namespace_env(bootstrap: str, tmp: Path, **extra: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    env = {
        "STANCE_BROKER": f"kafka://{bootstrap}",
        "STANCE_APP_ID": f"test-{tag}",
        "STANCE_TOPIC_PREFIX": f"t{tag}.",
        "STANCE_DATADIR": str(tmp / f"faust-{tag}"),
        "STANCE_WEB_PORT": str(free_port()),
        "STANCE_POOL_WORKERS": "2",
        "STANCE_PARTITIONS": "4",
    }
    env.update(extra)
    return env


def settings_for(env: dict[str, str]) -> Settings:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return Settings()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def wait_for(kind: str, settings: Settings, done: Callable[[list], bool], timeout: float,
              worker: Worker | None = None) -> list:
    """Read a topic from the beginning until ``done(items)`` or the timeout; returns the items."""
    deadline = time.monotonic() + timeout
    items: list = []
    while time.monotonic() < deadline:
        items = asyncio.run(client.collect(kind, settings=settings, from_beginning=True))
        if done(items):
            return items
        if worker is not None and not worker.alive:
            raise AssertionError(f"worker died:\n{worker.log_tail()}")
        time.sleep(1.0)
    return items


def current_positions(port: int, actor_ids: set[str], timeout: float = 90) -> dict[tuple[str, str], str]:
    """(actor, topic) -> current polarity, from a live worker's GET /positions?actor= view.

    The view answers 503 while the group rebalances (Faust cannot route the key yet, e.g.
    when a killed worker's session expires); a client retries, and so does this.
    """
    deadline = time.monotonic() + timeout
    out = {}
    for actor in sorted(actor_ids):
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/positions?actor={actor}", timeout=20) as resp:
                    body = orjson.loads(resp.read())
                break
            except urllib.error.HTTPError as exc:
                if exc.code != 503 or time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
        for p in body["positions"]:
            out[(actor, p["topic"]["id"])] = p["position"]["polarity"]
    return out


async def serve_hook(handler) -> tuple:
    """An aiohttp server on a free loopback port with ``POST /hook``; returns (runner, url)."""
    from aiohttp import web

    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/hook"
