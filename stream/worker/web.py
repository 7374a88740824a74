"""Read-only Faust web views over the positions table and the alerts and enriched topics.

JSON for scripts, HTML pages for people (``stream/worker/pages``: pure renderers, tested on
their own). The views stay thin: read the table or a topic, resolve a name, hand the records
to a renderer in a thread (parsing states and rendering pages never runs on the event loop),
wrap the answer.

The table is partitioned by actor: a request for an actor is forwarded to the worker that
holds the actor's partition (Faust's router), after the name was resolved to the actor id,
so any worker answers for any actor. While the group rebalances the route is unknown: 503.

Bound beyond localhost, every request (Faust's own views too) must carry the web token
(:mod:`stream.worker.pages.access`); the middleware below is the one place that checks it.
"""
from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import orjson
from aiohttp import ClientError, ClientTimeout
from faust.web import Request, Response, View
from faust.web.exceptions import ServiceUnavailable
from yarl import URL

from schemas import ActorRef, EnrichedArticle, PositionChange, TopicRef
from stream.kafka import client
from stream.nlp import kb as kb_mod
from stream.positions import KeyState, current_position
from stream.worker import metrics
from stream.worker.app import app, settings
from stream.worker.health import HEALTH
from stream.worker.pages import access, lookup, render, timeline as tl
from stream.worker.tables import positions
from stream.worker.webguard import make_guard

#: Set on a request one worker forwards to another: the receiver answers it itself (no ping-pong).
ROUTED = "X-Stance-Routed"
#: Seconds a forwarded request may take before the answer is a 503 (retry).
FORWARD_SECONDS = 20.0
#: On a forwarded answer: the worker that answered it (host:port).
ANSWERED_BY = "X-Stance-Answered-By"
#: How long the index of names seen in the table is reused before it is built again.
NAMES_TTL = 5.0
#: Enriched articles kept in memory for the article page (a lookup reads the enriched topic).
ARTICLES_CACHED = 128
_ID_SHAPE = re.compile(r"^(Q\d+|kb:\S+|ent:[a-z_]+:\S+)$")


# --------------------------------------------------------------------------- access


def _token() -> str | None:
    return settings.web_token.get_secret_value() if settings.web_token else None


# every view, Faust's own included; before the server starts (aiohttp freezes the list then)
app.web.web_app.middlewares.append(make_guard(lambda: settings.web_host, _token))


# --------------------------------------------------------------------------- helpers


def _json(view: View, payload: Any, status: int = 200) -> Response:
    return view.bytes(orjson.dumps(payload, default=str, option=orjson.OPT_UTC_Z), content_type="application/json",
                      status=status)


def _html(view: View, body: str, status: int = 200) -> Response:
    return view.html(body, status=status)


def _wants_json(request: Request, name: str) -> tuple[bool, str]:
    """(JSON?, the name without a ``.json`` suffix) for the views that are pages by default."""
    if name.endswith(".json"):
        return True, name[: -len(".json")]
    return access.prefers_json(request.headers.get("Accept")), name


def _values(match: Callable[[str], bool]) -> list[Any]:
    """The table values whose key matches (on the event loop: the store is not thread-safe; no parsing here)."""
    out = []
    for key, value in positions.items():
        k = key.decode() if isinstance(key, bytes) else key
        if value is not None and match(k):
            out.append(value)
    return out


def _actor_values(actor_id: str) -> list[Any]:
    prefix = f"{actor_id}|"
    return _values(lambda k: k.startswith(prefix))


def _states_for(actor: str):
    for value in _actor_values(actor):
        yield KeyState.model_validate(value)


@lru_cache(maxsize=1)
def _kb() -> kb_mod.KB:
    return kb_mod.KB([kb_mod.SHIPPED, settings.actors_file])


_names: dict[str, Any] = {"at": 0.0, "index": None}


async def _name_index() -> lookup.NameIndex:
    """The KB's names and the names seen in this worker's table (rebuilt at most every NAMES_TTL seconds)."""
    if _names["index"] is None or time.monotonic() - _names["at"] > NAMES_TTL:
        values = _values(lambda k: True)
        _names["index"] = await asyncio.to_thread(
            lambda: lookup.NameIndex.build(_kb(), lookup.seen_from_values(values)))
        _names["at"] = time.monotonic()
    return _names["index"]


async def _resolve(query: str) -> lookup.Resolution:
    """A name, alias or id -> the actor. An id-shaped query the index does not know is taken as an id:
    its partition may live on another worker, which then answers (and says 404 if it has nothing)."""
    index = await _name_index()
    res = await asyncio.to_thread(index.resolve, query)
    if res.status == "unknown" and _ID_SHAPE.match(query.strip()):
        return lookup.Resolution(query.strip(), query.strip(), query.strip(), None, "id",
                                 suggestions=res.suggestions)
    return res


def _ident(url: URL) -> tuple[str, int]:
    return (url.host if url.scheme else url.path) or "", int(url.port or 80)


async def _on_owner(view: View, request: Request, actor_id: str, path: str,
                    query: dict[str, str] | None = None) -> Response | None:
    """Forward to the worker holding ``actor_id``'s partition (as ``path?query``), or None: answer here."""
    if request.headers.get(ROUTED):
        return None
    try:
        dest = URL(str(app.router.key_store(positions.name, actor_id)))
    except KeyError:
        raise ServiceUnavailable()  # rebalancing: the route is unknown for now
    if _ident(dest) == _ident(URL(str(app.conf.canonical_url))):
        return None
    url = dest.with_path(path).with_query(query or {})
    headers = {ROUTED: "1", **{h: request.headers[h] for h in ("Accept", "Authorization", "Cookie")
                               if h in request.headers}}
    try:
        async with app.http_client.get(url, headers=headers, timeout=ClientTimeout(total=FORWARD_SECONDS)) as resp:
            body = await resp.read()
            answer = view.bytes(body, content_type=resp.content_type, status=resp.status)
    except (ClientError, asyncio.TimeoutError):
        raise ServiceUnavailable()  # the owner is (re)starting or just moved: the client retries, as for a rebalance
    answer.headers[ANSWERED_BY] = f"{dest.host}:{dest.port}"
    return answer


def _resolution_error(view: View, res: lookup.Resolution, as_json: bool) -> Response:
    status = 300 if res.status == "ambiguous" else 404
    if as_json:
        return _json(view, {"error": res.message(), **res.as_json()}, status=status)
    return _html(view, render.error_page(status, res.message(), resolution=res), status=status)


def _actor_ref(res: lookup.Resolution, states: list[KeyState], index: lookup.NameIndex) -> ActorRef:
    """The actor as the newest statement names it, else as the KB does."""
    if states:
        newest = max(states, key=lambda s: s.history[-1].order() if s.history else ())
        return newest.actor
    kb_actor = _kb().get(res.actor_id)
    if kb_actor is not None:
        return ActorRef(id=kb_actor.id, name=kb_actor.name, type=kb_actor.type)
    return ActorRef(id=res.actor_id or "", name=index.name_of(res.actor_id or "") or res.name or res.actor_id or "")


# --------------------------------------------------------------------------- health, metrics


@app.page("/health")
class Health(View):
    async def get(self, request: Request) -> Response:
        assigned = len(app.consumer.assignment()) if app.consumer else 0
        report = HEALTH.report()  # 503 after an agent crashed (stream/worker/health.py)
        return _json(self, {**report, "app_id": app.conf.id, "assigned_partitions": assigned},
                     status=200 if HEALTH.ok else 503)


@app.page("/metrics")
class Metrics(View):
    async def get(self, request: Request) -> Response:
        return self.bytes(metrics.render(), content_type="text/plain; version=0.0.4")


# --------------------------------------------------------------------------- JSON positions


@app.page("/positions")
class Positions(View):
    async def get(self, request: Request) -> Response:
        query = request.query.get("actor", "").strip()
        if not query:
            return _json(self, {"error": "pass ?actor= an actor id or name, e.g. /positions?actor=Q155 or "
                                         "/positions?actor=Brazil"}, status=400)
        res = await _resolve(query)
        if res.status != "found":
            return _resolution_error(self, res, True)
        actor_id = res.actor_id or ""
        routed = await _on_owner(self, request, actor_id, "/positions", {"actor": actor_id})
        if routed is not None:
            return routed
        values = _actor_values(actor_id)
        if not values and res.via == "id" and _kb().get(actor_id) is None and actor_id not in (await _name_index()).ids:
            return _resolution_error(self, lookup.Resolution(query, None, suggestions=res.suggestions), True)

        def build() -> list[dict[str, Any]]:
            out = []
            for state in tl.states_from(values):
                cur = current_position(state)
                if cur is not None:
                    out.append({"actor": state.actor.model_dump(mode="json"),
                                "topic": state.topic.model_dump(mode="json"), "position": cur.model_dump(mode="json")})
            return sorted(out, key=lambda x: x["topic"]["id"])

        body: dict[str, Any] = {"actor": actor_id, "name": res.name, "positions": await asyncio.to_thread(build)}
        if query != actor_id:
            body["query"], body["via"] = query, res.via
        if not body["positions"]:
            body["note"] = (f"no current position of {res.name or actor_id} ({actor_id}) in the positions table"
                            + ("" if values else ": no statement of it yet"))
        return _json(self, body)


@app.page("/positions/{actor}/{topic}")
class History(View):
    async def get(self, request: Request, actor: str, topic: str) -> Response:
        res = await _resolve(actor)
        if res.status != "found":
            return _resolution_error(self, res, True)
        actor_id = res.actor_id or ""
        routed = await _on_owner(self, request, actor_id, f"/positions/{actor_id}/{topic}")
        if routed is not None:
            return routed
        value = positions.get(f"{actor_id}|{topic}")
        if value is None:  # a topic label instead of its id?
            needle = topic.strip().lower()
            for v in _actor_values(actor_id):
                if (v.get("topic") or {}).get("label", "").lower() == needle:
                    value = v
                    break
        if value is None:
            return _json(self, {"error": f"no statement of {res.name or actor_id} ({actor_id}) on topic {topic!r}",
                                "actor": actor_id}, status=404)
        state = await asyncio.to_thread(KeyState.model_validate, value)
        return _json(self, state.model_dump(mode="json"))


# --------------------------------------------------------------------------- pages


@app.page("/actors")
class Actors(View):
    """``/actors?q=NAME``: one match goes straight to its page; otherwise the candidates. No q: every actor seen."""

    async def get(self, request: Request) -> Response:
        return await _actors(self, request, access.prefers_json(request.headers.get("Accept")))


@app.page("/actors.json")
class ActorsJson(View):
    async def get(self, request: Request) -> Response:
        return await _actors(self, request, True)


async def _actors(view: View, request: Request, as_json: bool) -> Response:
    query = request.query.get("q", "").strip()
    index = await _name_index()
    if not query:
        seen = sorted((lookup.Match(i, index.name_of(i) or i, index.ids[i].type if i in index.ids else "ORG",
                                    index.name_of(i) or i, "seen", 0, True) for i in index.with_statements),
                      key=lambda m: m.name.lower())[:1000]
        if as_json:
            return _json(view, {"actors": [{"id": m.actor_id, "name": m.name, "type": m.type} for m in seen]})
        return _html(view, await asyncio.to_thread(render.search_page, "", seen, listing=True))
    res, found = await asyncio.gather(_resolve(query), asyncio.to_thread(index.search, query))
    if as_json:
        return _json(view, {"query": query, "resolution": res.as_json(),
                            "results": [{"id": m.actor_id, "name": m.name, "type": m.type, "matched": m.matched,
                                         "via": m.via, "has_statements": m.has_statements} for m in found]})
    if res.status == "found" and res.actor_id:
        target = tl.actor_href(res.actor_id)
        if res.via != "id" and query != res.actor_id:
            target += "?" + urlencode({"as": query})
        return view.text("", status=302, headers={"Location": target})
    return _html(view, await asyncio.to_thread(render.search_page, query, found))


@app.page("/actors/{actor}")
class Actor(View):
    """An actor's timeline page (``.json`` or ``Accept: application/json``: the same timeline as JSON)."""

    async def get(self, request: Request, actor: str) -> Response:
        as_json, name = _wants_json(request, actor)
        shown_as = request.query.get("as") or name
        res = await _resolve(name)
        if res.status != "found":
            return _resolution_error(self, res, as_json)
        actor_id = res.actor_id or ""
        query = {k: v for k, v in request.query.items()}
        routed = await _on_owner(self, request, actor_id, f"/actors/{actor_id}" + (".json" if as_json else ""), query)
        if routed is not None:
            return routed
        values = _actor_values(actor_id)
        index = await _name_index()
        if not values and _kb().get(actor_id) is None and actor_id not in index.ids:
            return _resolution_error(self, lookup.Resolution(name, None, suggestions=res.suggestions), as_json)
        via = res.via
        if shown_as != name:  # came from /actors?q=: say how that name matched
            via = (await _resolve(shown_as)).via or via
        topic = request.query.get("topic")

        def build() -> tuple[tl.ActorTimeline, list[tuple[str, str]]]:
            states = tl.states_from(values)
            ref = _actor_ref(res, states, index)
            others = [ActorRef(id=i, name=index.name_of(i) or i, type="ORG")
                      for i in lookup.spoken_for(index, _kb(), actor_id)] if not states else []
            t = tl.actor_timeline(ref, states, topic=topic, query=shown_as if shown_as != actor_id else None,
                                  via=via, speaks_for=others)
            return t, [(tl.actor_href(o.id), o.name) for o in others]

        timeline, links = await asyncio.to_thread(build)
        if as_json:
            return _json(self, await asyncio.to_thread(tl.jsonable, timeline))
        return _html(self, await asyncio.to_thread(render.actor_page, timeline, speaks_for_links=links))


def _coverage() -> tuple[int, int]:
    """(partitions of the positions table this worker holds, active or standby; all of them)."""
    name = positions.changelog_topic.get_topic_name()
    try:
        held = {tp.partition for tp in (*app.assignor.assigned_actives(), *app.assignor.assigned_standbys())
                if tp.topic == name}
    except Exception:  # not assigned yet
        held = set()
    return len(held), settings.partitions


@app.page("/topics/{topic}")
class Topic(View):
    """Every actor's current position on one topic (id or label) and when each changed."""

    async def get(self, request: Request, topic: str) -> Response:
        as_json, name = _wants_json(request, topic)
        suffix = f"|{name}"
        values = _values(lambda k: k.endswith(suffix))
        if not values:  # a label, or part of one?
            needle = name.strip().lower()
            every = _values(lambda k: True)
            labels = {(v.get("topic") or {}).get("id"): (v.get("topic") or {}).get("label", "") for v in every}
            exact = [i for i, lab in labels.items() if lab.lower() == needle or (i or "").lower() == needle]
            close = exact or [i for i, lab in labels.items() if needle in lab.lower() or needle in (i or "").lower()]
            if len(close) != 1:
                message = (f"no topic {name!r} in the positions table" if not close else
                           f"{name!r} matches several topics: pass one id")
                options = sorted(close)[:20]
                if as_json:
                    return _json(self, {"error": message, "topics": [{"id": i, "label": labels[i]} for i in options]},
                                 status=404 if not close else 300)
                return _html(self, render.error_page(404 if not close else 300, message + (
                    ": " + ", ".join(f"{labels[i]} ({i})" for i in options) if options else "")),
                             status=404 if not close else 300)
            values = [v for v in every if (v.get("topic") or {}).get("id") == close[0]]
        held, total = _coverage()

        def build() -> tl.TopicBoard:
            states = tl.states_from(values)
            ref = max(states, key=lambda s: s.history[-1].order() if s.history else ()).topic
            return tl.topic_board(TopicRef(id=ref.id, label=ref.label), states)

        board = await asyncio.to_thread(build)
        if as_json:
            body = await asyncio.to_thread(tl.jsonable, board)
            body["partitions_held"], body["partitions"] = held, total
            return _json(self, body)
        return _html(self, await asyncio.to_thread(render.topic_page, board))


# --------------------------------------------------------------------------- alerts


async def _read_alerts(request: Request) -> tuple[list[PositionChange], datetime | None, int] | str:
    """The alerts since ``?since=`` (from the topic, so complete across workers), or an error message."""
    since_raw = request.query.get("since")
    try:
        since = datetime.fromisoformat(since_raw.replace("Z", "+00:00")) if since_raw else None
    except ValueError:
        return f"since must be an ISO time, got {since_raw!r}"
    try:
        limit = min(int(request.query.get("limit", settings.alerts_kept)), settings.alerts_kept)
    except ValueError:
        return f"limit must be a number, got {request.query.get('limit')!r}"
    items: list[PositionChange] = []
    async for alert in client.read("alerts", settings=settings, since=since, from_beginning=since is None):
        items.append(alert)  # type: ignore[arg-type]
    return items, since, max(limit, 0)


def _newest_first(items: list[PositionChange]) -> list[PositionChange]:
    """One entry per alert id (a redelivery repeats one), newest reversal first."""
    unique = {a.id: a for a in items}
    return sorted(unique.values(), key=lambda a: (a.current.published_at, a.detected_at), reverse=True)


async def _alerts(view: View, request: Request, as_html: bool) -> Response:
    got = await _read_alerts(request)
    if isinstance(got, str):
        return _html(view, render.error_page(400, got), 400) if as_html else _json(view, {"error": got}, 400)
    items, since, limit = got
    if not as_html:
        return _json(view, {"alerts": [a.model_dump(mode="json") for a in items[-limit:]] if limit else []})
    actor = request.query.get("actor")
    if actor:
        res = await _resolve(actor)
        if res.status != "found":
            return _resolution_error(view, res, False)
        items = [a for a in items if a.actor.id == res.actor_id]
    ordered = _newest_first(items)
    page = await asyncio.to_thread(render.alerts_page, ordered[:limit], since=since, limit=limit, total=len(ordered))
    return _html(view, page)


@app.page("/alerts")
class Alerts(View):
    """JSON (as ever) unless the client prefers HTML, as a browser does."""

    async def get(self, request: Request) -> Response:
        return await _alerts(self, request, access.prefers_html(request.headers.get("Accept")))


@app.page("/alerts.json")
class AlertsJson(View):
    async def get(self, request: Request) -> Response:
        return await _alerts(self, request, False)


@app.page("/alerts.html")
class AlertsHtml(View):
    async def get(self, request: Request) -> Response:
        return await _alerts(self, request, True)


# --------------------------------------------------------------------------- articles


_articles: OrderedDict[str, EnrichedArticle] = OrderedDict()


async def _find_article(article_id: str) -> EnrichedArticle | None:
    """The newest enriched record of an article: the enriched topic is scanned by key (raw bytes compared,
    only the match is decoded), then the record is kept in a small LRU."""
    if article_id in _articles:
        _articles.move_to_end(article_id)
        return _articles[article_id]
    key = article_id.encode()
    found: bytes | None = None
    async for rec in client.records("enriched", settings=settings, from_beginning=True):
        if rec.key == key:
            found = rec.value
    if found is None:
        return None
    item = await asyncio.to_thread(EnrichedArticle.model_validate_json, found)
    _articles[article_id] = item
    while len(_articles) > ARTICLES_CACHED:
        _articles.popitem(last=False)
    return item


@app.page("/articles/{article_id:.+}")
class Article(View):
    """One enriched article: the body as received, each stance's evidence marked (what the points link to)."""

    async def get(self, request: Request, article_id: str) -> Response:
        as_json, article_id = _wants_json(request, article_id)
        item = await _find_article(article_id)
        if item is None:
            message = f"no enriched article with id {article_id!r}"
            return _json(self, {"error": message}, 404) if as_json else _html(self, render.error_page(404, message), 404)
        if as_json:
            return _json(self, item.model_dump(mode="json"))
        return _html(self, await asyncio.to_thread(render.article_page, item))


# --------------------------------------------------------------------------- login


@app.page("/login")
class Login(View):
    """The browser's way to the token: a form that sets an HttpOnly cookie (an HMAC of the token)."""

    async def get(self, request: Request) -> Response:
        return _html(self, render.login_page(next_path=access.safe_next(request.query.get("next")), failed=False))

    async def post(self, request: Request) -> Response:
        form = await request.post()
        result = access.login(host=settings.web_host, token=_token(), given=str(form.get("token", "")),
                              next_path=str(form.get("next", "")), secure=request.secure)
        if not result.ok:
            return _html(self, render.login_page(next_path=result.location, failed=True), 401)
        headers = {"Location": result.location, **({"Set-Cookie": result.set_cookie} if result.set_cookie else {})}
        return self.text("", status=303, headers=headers)


@app.page("/logout")
class Logout(View):
    async def get(self, request: Request) -> Response:
        return self.text("", status=303, headers={"Location": "/login", "Set-Cookie": access.logout_cookie()})
