"""Read-only Faust web views over the positions table and the alerts topic.

The table is partitioned by actor; ``table_route`` forwards a request for an
actor to the worker that holds that actor's partition, so any worker answers.
"""
from __future__ import annotations

from datetime import datetime

import orjson
from faust.web import Request, Response, View

from schemas import PositionChange
from stream.kafka import client
from stream.worker import metrics
from stream.worker.health import HEALTH
from stream.worker.tables import positions
from stream.worker.app import app, settings
from stream.positions import KeyState, current_position


def _json(view: View, payload, status: int = 200) -> Response:
    return view.bytes(orjson.dumps(payload, default=str), content_type="application/json", status=status)


def _states_for(actor: str):
    prefix = f"{actor}|"
    for key, value in positions.items():
        k = key.decode() if isinstance(key, bytes) else key
        if k.startswith(prefix) and value is not None:
            yield k, KeyState.model_validate(value)


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


@app.page("/positions")
class Positions(View):
    @app.table_route(table=positions, query_param="actor")
    async def get(self, request: Request) -> Response:
        actor = request.query["actor"]
        out = []
        for _, state in _states_for(actor):
            cur = current_position(state)
            if cur is not None:
                out.append({"actor": state.actor.model_dump(mode="json"), "topic": state.topic.model_dump(mode="json"),
                            "position": cur.model_dump(mode="json")})
        return _json(self, {"actor": actor, "positions": out})


@app.page("/positions/{actor}/{topic}")
class History(View):
    @app.table_route(table=positions, match_info="actor")
    async def get(self, request: Request, actor: str, topic: str) -> Response:
        value = positions.get(f"{actor}|{topic}")
        if value is None:
            return _json(self, {"error": "unknown actor/topic"}, status=404)
        state = KeyState.model_validate(value)
        return _json(self, state.model_dump(mode="json"))


@app.page("/alerts")
class Alerts(View):
    async def get(self, request: Request) -> Response:
        since_raw = request.query.get("since")
        try:
            since = datetime.fromisoformat(since_raw.replace("Z", "+00:00")) if since_raw else None
        except ValueError:
            return _json(self, {"error": f"since must be an ISO time, got {since_raw!r}"}, status=400)
        limit = min(int(request.query.get("limit", settings.alerts_kept)), settings.alerts_kept)
        items: list[PositionChange] = []
        async for alert in client.read("alerts", settings=settings, since=since, from_beginning=since is None):
            items.append(alert)  # type: ignore[arg-type]
        return _json(self, {"alerts": [a.model_dump(mode="json") for a in items[-limit:]]})
