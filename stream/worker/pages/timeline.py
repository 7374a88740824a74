"""What the pages show, as plain dataclasses built from the positions table's states.

One :class:`~stream.positions.KeyState` (actor, topic) becomes one :class:`Row`: its kept
statements as :class:`Point` s in event order, the reversal alerts it raised as
:class:`Reversal` s (joined to the two points they connect), the current position and when
the actor took it. An actor page is an :class:`ActorTimeline` (one row per topic), a topic
page a :class:`TopicBoard` (one row per actor). The same objects feed the HTML, the JSON
views and the terminal (``stance positions``), so all three always agree.

The table keeps at most ``STANCE_HISTORY_PER_KEY`` statements per key, so a row is bounded
however much an actor says; an alert whose statements were trimmed is kept without them.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from schemas import ActorRef, TopicRef
from stream.positions import HistoryEntry, KeyState

__all__ = [
    "ActorTimeline", "Point", "Reversal", "Row", "TopicBoard", "actor_href", "actor_timeline", "article_href",
    "jsonable", "row_for", "states_from", "topic_board", "topic_href",
]


def actor_href(actor_id: str) -> str:
    """The actor page's path (ids are quoted: ``ent:org:...`` and KB slugs carry colons)."""
    return "/actors/" + quote(actor_id, safe=":")


def topic_href(topic_id: str) -> str:
    return "/topics/" + quote(topic_id, safe=":")


def article_href(article_id: str, stance_id: str | None = None) -> str:
    """The article page, scrolled to the statement's evidence when a stance id is given."""
    return "/articles/" + quote(article_id, safe="") + (f"#stance-{stance_id}" if stance_id else "")


@dataclass(frozen=True)
class Point:
    """One kept statement, placed at its event time (a recollection at the time it recalls)."""

    stance_id: str
    article_id: str
    event_time: datetime
    published_at: datetime
    polarity: str
    tense: str
    confidence: float
    effective: bool  # current tense, not neutral, confident: it can set the position
    speaker: str | None
    evidence: str
    target_text: str
    condition: str | None
    is_position: bool  # the key's current position

    @property
    def recalled(self) -> bool:
        """A past-tense statement: the article recalls it; it never sets the position."""
        return self.tense == "past"

    @property
    def href(self) -> str:
        return article_href(self.article_id, self.stance_id)

    @classmethod
    def from_entry(cls, entry: HistoryEntry, position_id: str | None) -> Point:
        return cls(stance_id=entry.stance_id, article_id=entry.article_id, event_time=entry.event_time,
                   published_at=entry.published_at, polarity=entry.polarity, tense=entry.tense,
                   confidence=entry.confidence, effective=entry.effective,
                   speaker=entry.speaker.name if entry.speaker else None, evidence=entry.evidence,
                   target_text=entry.target_text, condition=entry.condition,
                   is_position=entry.stance_id == position_id)


@dataclass(frozen=True)
class Reversal:
    """An alert the key raised; ``previous``/``current`` are None when trimmed from the kept history."""

    alert_id: str
    kind: str
    previous_stance_id: str
    current_stance_id: str
    previous: Point | None
    current: Point | None

    @property
    def drawable(self) -> bool:
        return self.previous is not None and self.current is not None


@dataclass(frozen=True)
class Row:
    """One (actor, topic) key, labelled by the topic on an actor page and by the actor on a topic page."""

    actor: ActorRef
    topic: TopicRef
    label: str
    href: str
    points: tuple[Point, ...]
    reversals: tuple[Reversal, ...]
    position: Point | None
    since: Point | None  # the first statement of the run that holds the current position
    previous_polarity: str | None  # the position before that run; None when it is the first one

    @property
    def last_time(self) -> datetime | None:
        return self.points[-1].event_time if self.points else None


@dataclass(frozen=True)
class ActorTimeline:
    """An actor page: the actor and one row per topic it spoke on, most recent first."""

    actor: ActorRef
    rows: tuple[Row, ...]
    query: str | None = None  # the name the user typed, when it was not the id
    via: str | None = None  # how the name matched: alias, metonym, speaker ...
    speaks_for: tuple[ActorRef, ...] = field(default_factory=tuple)  # a person's statements count for these

    @property
    def positions(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.position is not None)

    @property
    def statement_count(self) -> int:
        return sum(len(r.points) for r in self.rows)


@dataclass(frozen=True)
class TopicBoard:
    """A topic page: every actor the table holds on the topic, with their current position."""

    topic: TopicRef
    rows: tuple[Row, ...]


def states_from(values: Iterable[Any]) -> list[KeyState]:
    """Table values (JSON dicts, as the table stores them) -> KeyStates; None values are skipped."""
    out = []
    for v in values:
        if v is None:
            continue
        out.append(v if isinstance(v, KeyState) else KeyState.model_validate(v))
    return out


def _since(history: list[HistoryEntry]) -> tuple[HistoryEntry | None, str | None]:
    """The first effective statement of the current run of the position's polarity, and the polarity before it."""
    effective = sorted((e for e in history if e.effective), key=HistoryEntry.order)
    if not effective:
        return None, None
    polarity = effective[-1].polarity
    i = len(effective) - 1
    while i > 0 and effective[i - 1].polarity == polarity:
        i -= 1
    return effective[i], (effective[i - 1].polarity if i > 0 else None)


def row_for(state: KeyState, *, label_by: str = "topic") -> Row:
    """One key as a row: ``label_by="topic"`` for an actor page, ``"actor"`` for a topic page."""
    history = sorted(state.history, key=HistoryEntry.order)
    position = state.position_entry()
    pid = position.stance_id if position else None
    points = tuple(Point.from_entry(e, pid) for e in history)
    by_id = {p.stance_id: p for p in points}
    reversals = tuple(Reversal(alert_id=a.id, kind=a.kind, previous_stance_id=a.previous_stance_id,
                               current_stance_id=a.current_stance_id, previous=by_id.get(a.previous_stance_id),
                               current=by_id.get(a.current_stance_id)) for a in state.alerts)
    since, before = _since(history)
    if label_by == "actor":
        label, href = state.actor.name, actor_href(state.actor.id)
    else:
        label, href = state.topic.label, topic_href(state.topic.id)
    return Row(actor=state.actor, topic=state.topic, label=label, href=href, points=points, reversals=reversals,
               position=by_id.get(pid) if pid else None, since=by_id.get(since.stance_id) if since else None,
               previous_polarity=before)


def _recent_first(rows: Iterable[Row]) -> tuple[Row, ...]:
    return tuple(sorted(rows, key=lambda r: (r.last_time is None, -(r.last_time.timestamp() if r.last_time else 0),
                                             r.label.lower())))


def actor_timeline(actor: ActorRef, states: Iterable[KeyState], *, topic: str | None = None,
                   query: str | None = None, via: str | None = None,
                   speaks_for: Iterable[ActorRef] = ()) -> ActorTimeline:
    """An actor's page from its keys' states; ``topic`` keeps the topics whose id or label contains it."""
    rows = [row_for(s) for s in states if s.actor.id == actor.id]
    if topic:
        needle = topic.lower()
        rows = [r for r in rows if needle in r.topic.id.lower() or needle in r.topic.label.lower()]
    return ActorTimeline(actor=actor, rows=_recent_first(rows), query=query, via=via, speaks_for=tuple(speaks_for))


def topic_board(topic: TopicRef, states: Iterable[KeyState]) -> TopicBoard:
    """A topic's page: one row per actor; actors holding a position first, the latest change first."""
    rows = [row_for(s, label_by="actor") for s in states if s.topic.id == topic.id]

    def order(r: Row) -> tuple:
        when = r.since.event_time.timestamp() if r.since else 0.0
        return (r.position is None, -when, r.label.lower())

    return TopicBoard(topic=topic, rows=tuple(sorted(rows, key=order)))


def jsonable(obj: Any) -> Any:
    """A page object as JSON-ready data (datetimes stay datetimes: orjson writes them as ISO 8601)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, Point):
            out["href"] = obj.href
        return out
    if isinstance(obj, (list, tuple)):
        return [jsonable(x) for x in obj]
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj
