"""The middleware in front of every web view, on a bare aiohttp server over a real socket."""
from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from stream.worker.pages import access
from stream.worker.webguard import make_guard

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


async def _page(request: web.Request) -> web.Response:
    return web.Response(text="<p>page</p>", content_type="text/html")


async def _data(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def _run(host: str, token: str | None, check) -> None:
    async def main() -> None:
        app = web.Application(middlewares=[make_guard(lambda: host, lambda: token)])
        app.router.add_get("/actors/Q155", _page)
        app.router.add_get("/positions", _data)
        app.router.add_get("/login", _page)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await check(client)

    asyncio.run(main())


def test_loopback_bind_is_open_and_pages_get_safety_headers():
    async def check(client: TestClient) -> None:
        r = await client.get("/actors/Q155")
        assert r.status == 200 and "script-src" not in r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        r = await client.get("/positions")
        assert r.status == 200 and (await r.json()) == {"ok": True}
        assert "Content-Security-Policy" not in r.headers

    _run("127.0.0.1", None, check)


def test_beyond_loopback_every_view_asks_for_the_token():
    async def check(client: TestClient) -> None:
        r = await client.get("/positions")
        assert r.status == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Bearer" in (await r.json())["error"]
        r = await client.get("/actors/Q155", headers={"Accept": BROWSER})
        assert r.status == 401 and 'action="/login"' in await r.text()  # a browser gets the login form
        r = await client.get("/positions", headers={"Authorization": "Bearer s3cret"})
        assert r.status == 200
        r = await client.get("/positions", headers={"Authorization": "Bearer wrong"})
        assert r.status == 401
        r = await client.get("/actors/Q155", headers={"Cookie": f"{access.COOKIE}={access.cookie_value('s3cret')}"})
        assert r.status == 200 and await r.text() == "<p>page</p>"
        assert (await client.get("/login")).status == 200

    _run("0.0.0.0", "s3cret", check)


def test_beyond_loopback_without_a_token_nothing_is_served():
    async def check(client: TestClient) -> None:
        for path in ("/positions", "/actors/Q155"):
            r = await client.get(path, headers={"Authorization": "Bearer anything"})
            assert r.status == 503, path
        assert "STANCE_WEB_TOKEN" in (await (await client.get("/positions")).json())["error"]

    _run("0.0.0.0", None, check)
