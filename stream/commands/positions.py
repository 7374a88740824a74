"""``stance positions NAME [--topic T]``: an actor's timeline in the terminal.

The same timeline as the actor page (``/actors/{actor}``), without a worker: the actor's
statements are read from the stances topic (keyed by actor id, so only the actor's records
are decoded) and folded with the tracker the worker runs (:mod:`stream.positions`, with the
same ``STANCE_MIN_CONFIDENCE`` and ``STANCE_HISTORY_PER_KEY``), which gives the worker's
states, alerts and alert ids. NAME is an id, a name or an alias from the actor KB, or the
name of an actor or speaker seen on the stances topic (entities outside the KB).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import orjson
from pydantic import ValidationError

from schemas import ActorRef, StanceRecord
from stream.commands import UserError, argument, option, say
from stream.nlp import kb as kb_mod
from stream.positions import PositionTracker
from stream.settings import Settings, get_settings
from stream.worker.pages import lookup
from stream.worker.pages import timeline as tl
from stream.worker.pages.text import render_timeline

__all__ = ["resolve_name", "timeline_for", "timeline_from_stances"]


def timeline_from_stances(actor: ActorRef, stances: Iterable[StanceRecord], settings: Settings, *,
                          topic: str | None = None, query: str | None = None, via: str | None = None,
                          speaks_for: Iterable[ActorRef] = ()) -> tl.ActorTimeline:
    """Fold an actor's stances (in topic order, as the track agent applies them) into its timeline."""
    tracker = PositionTracker(min_confidence=settings.min_confidence, history_limit=settings.history_per_key)
    for stance in stances:
        if stance.actor.id == actor.id:
            tracker.apply(stance)
    states = list(tracker.states.values())
    if states:  # names follow the newest statement, as in the table
        actor = max(states, key=lambda s: s.history[-1].order() if s.history else ()).actor
    return tl.actor_timeline(actor, states, topic=topic, query=query, via=via, speaks_for=speaks_for)


async def _raw(settings: Settings) -> AsyncIterator[tuple[bytes | None, bytes]]:
    from stream.kafka import client

    async for rec in client.records("stances", settings=settings, from_beginning=True):
        yield rec.key, rec.value


async def _seen(settings: Settings) -> list[lookup.SeenActor]:
    """Every actor and speaker on the stances topic (decoded as plain JSON: only the names are needed)."""
    actors: dict[str, dict] = {}
    async for _, value in _raw(settings):
        try:
            row = orjson.loads(value)
            actor = row["actor"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue
        slot = actors.setdefault(actor.get("id", ""), {"name": actor.get("name", ""), "type": actor.get("type", "ORG"),
                                                       "speakers": set()})
        slot["name"] = actor.get("name") or slot["name"]
        if (row.get("speaker") or {}).get("name"):
            slot["speakers"].add(row["speaker"]["name"])
    return [lookup.SeenActor(i, s["name"] or i, s["type"], tuple(sorted(s["speakers"]))) for i, s in actors.items() if i]


async def resolve_name(name: str, settings: Settings, kb: kb_mod.KB) -> tuple[lookup.Resolution, lookup.NameIndex]:
    """The KB first (no topic read); the names seen on the stances topic when the KB does not settle it."""
    index = lookup.NameIndex.build(kb)
    res = index.resolve(name)
    if res.status != "found":
        index = lookup.NameIndex.build(kb, await _seen(settings))
        res = index.resolve(name)
    return res, index


async def timeline_for(name: str, settings: Settings, *, topic: str | None = None) -> tl.ActorTimeline:
    """NAME -> the actor's timeline from the stances topic; a :class:`UserError` when no actor matches."""
    kb = kb_mod.KB([kb_mod.SHIPPED, settings.actors_file])
    res, index = await resolve_name(name, settings, kb)
    if res.status != "found" or res.actor_id is None:
        raise UserError(res.message())
    key = res.actor_id.encode()
    stances: list[StanceRecord] = []
    async for k, value in _raw(settings):
        if k == key:
            try:
                stances.append(StanceRecord.model_validate_json(value))
            except ValidationError:
                continue  # the track agent dead-letters these: they are in no position
    kb_actor = kb.get(res.actor_id)
    actor = ActorRef(id=res.actor_id, name=kb_actor.name if kb_actor else (res.name or res.actor_id),
                     type=kb_actor.type if kb_actor else (res.type or "ORG"))
    others = [] if stances else [ActorRef(id=i, name=index.name_of(i) or i) for i in lookup.spoken_for(index, kb, res.actor_id)]
    return timeline_from_stances(actor, stances, settings, topic=topic,
                                 query=name if name != res.actor_id else None, via=res.via, speaks_for=others)


# --------------------------------------------------------------------------- command line

OPTIONS = (
    argument("name", type=str),
    option("--topic", "topic", type=str, default=None, help="Only topics whose id or label contains this"),
)


async def command(self, name: str, topic: str | None) -> None:
    """Print an actor's positions over time (NAME: an id, a name or an alias), from the stances topic."""
    say(self, render_timeline(await timeline_for(name, get_settings(), topic=topic)))
