"""The one check in front of every web view: the token rule (:mod:`stream.worker.pages.access`) and the
safety headers of every answer. An aiohttp middleware, kept apart from the Faust app so that it is
tested on a bare aiohttp server; :mod:`stream.worker.web` installs it on the worker's web server.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

from stream.worker.pages import access, render

__all__ = ["HTML_HEADERS", "make_guard"]

HTML_HEADERS = {
    # the pages have no script and load nothing from elsewhere: forbid both outright
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_guard(host: Callable[[], str], token: Callable[[], str | None]):
    """A middleware that applies the token rule for the bind address ``host()`` and the token ``token()``."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        decision = access.decide(host=host(), token=token(), path=request.path,
                                 authorization=request.headers.get("Authorization"),
                                 cookie=request.cookies.get(access.COOKIE))
        if not decision.allowed:
            if access.prefers_html(request.headers.get("Accept")):
                body = (render.login_page(next_path=access.safe_next(request.path_qs), failed=False,
                                          reason=decision.reason) if decision.status == 401
                        else render.error_page(decision.status, decision.reason))
                resp = web.Response(text=body, status=decision.status, content_type="text/html",
                                    headers=HTML_HEADERS)
            else:
                resp = web.Response(body=orjson.dumps({"error": decision.reason}), status=decision.status,
                                    content_type="application/json")
            if decision.status == 401:
                resp.headers["WWW-Authenticate"] = 'Bearer realm="stance-stream"'
            return resp
        resp = await handler(request)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if (resp.content_type or "").startswith("text/html"):
            for k, v in HTML_HEADERS.items():
                resp.headers.setdefault(k, v)
        return resp

    return guard
