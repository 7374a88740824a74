"""Position tracking: pure, framework-free (no Faust, no Kafka).

Every (actor, topic) pair has one :class:`KeyState`; :func:`apply_stance` folds
one :class:`~schemas.StanceRecord` into it and returns the new state plus the
:class:`~schemas.PositionChange` alerts to publish. The Faust agent keeps the
states in a table (JSON dicts in a changelog topic); the offline command and
the tests use :class:`PositionTracker`, an in-memory dict of the same states.

Semantics
---------
Terms. A stance is *effective* when it is current-tense (``tense == "current"``),
non-neutral (support or oppose) and its confidence is strictly above
``min_confidence``. Effectiveness is decided when the stance is applied, with
the ``min_confidence`` in force then, and is stored with the history entry.

Key. The key is ``"<actor id>|<topic id>"`` (:func:`position_key`). Statements by
different people who speak for the same actor (a spokesman, a minister) count
for that actor; the speaker is only carried along into history and alerts.
Ids must not contain ``|``; a state handed a stance of another key is an error.

Event time and order. A current-tense stance happens at ``stance.published_at``.
A past-tense stance (an article recalling an earlier position) happens at its
``stated_at`` if given (clamped to the article time if it is later), else just
before the article's ``published_at``. Statements are ordered by
``(event time, past-before-current, confidence, evidence start, stance id)``:
so among several stances of one key in ONE article (same ``published_at``) the
higher confidence is the newer one and wins, then the later evidence offset,
then the larger stance id. This order is total and uses nothing but the stance.

Position. The current position is the newest effective statement in that order.
Neutral and low-confidence statements do not reset it; past-tense statements
never set it and never raise alerts; all of them go into the history.

Reversal alerts. When an arriving effective stance S becomes the newest
effective statement of its key, it is compared with the newest effective
statement before it that comes from ANOTHER article (an article never raises an
alert against itself, so statements of S's own article are skipped). If their
polarities differ (support <-> oppose) a ``PositionChange(kind="reversal")`` is
published with ``previous`` and ``current`` statements. A late stance (event
time before the current position) only goes into the history: no alert, ever.
An article announces a reversal once: a reversal is not raised again when the
key's last reversal came from a statement of the same article with the same
polarity (an article holding support 0.6, oppose 0.7 and support 0.8 for one
key, arriving in that order, alerts once). Alerts are decided when a stance
arrives and never retracted: if an article holds an oppose (0.6) and a support
(0.9) for one key and the weaker one arrives first, it may alert and the
stronger one then wins silently. Emitting an article's stances strongest-first
(descending in the order above) avoids that.

Softening (off by default; ``softening=True`` turns it on). A confident
(``> min_confidence``), current-tense neutral stance that is the newest
confident current-tense statement of its key, is newer than the current position
and comes from another article, publishes ``PositionChange(kind="softening")``
with the position as ``previous`` -- at most once per position (the state
remembers which position was softened). The position itself is unchanged, so a
later support/oppose is compared with the old position as usual. A softening is
never called a reversal.

Idempotence. A stance whose id is in the state's id memory is ignored: the same
state object comes back and no alert is raised, so redeliveries and replays never
duplicate alerts. The memory (``KeyState.applied_ids``) is the ids in the bounded
history plus the ids of both statements of every kept alert; at most
``max(history_limit, 4) + 2 * history_limit`` ids per key. A stance that fell out
of the memory and is delivered again is applied again but can still not alert:
trimming only ever drops an effective statement older than the second-newest
effective one, and never drops the newest confident current-tense statement.

Alert ids. :func:`alert_id` is the first 24 hex digits of a SHA-256 over actor
id, topic id, previous stance id, current stance id and kind: every worker and
every replay computes the same id, so consumers can dedupe by it.

History bound. The history holds at most ``history_limit`` entries; when over,
the oldest entries by event order are dropped -- except the current position,
the effective statement right before it, the newest effective statement from
another article than the position's (the reversal reference for a second stance
of the position's article) and the newest confident current-tense statement
(the softening reference). So a key holds at most ``max(history_limit, 4)``
entries. The last ``history_limit`` alerts are kept.

Determinism. Decisions use only the stances and the state: the wall clock
(``now``) only fills ``detected_at``, which is not stored in the state. The same
sequence of stances gives the same states and the same alerts. Any order of the
same stances gives the same final position (the newest effective statement of
all), and an alert's ``current`` statement is always the newest effective
statement at the moment it is raised. Offline runs process input in
:func:`event_order`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas import ActorRef, PositionChange, SpeakerRef, StanceRecord, Statement, TopicRef
from schemas.models import ChangeKind, Polarity, Tense
from stream.ids import short_hash

__all__ = [
    "AlertRecord", "HistoryEntry", "KeyState", "PositionTracker", "alert_id", "apply_stance",
    "current_position", "event_order", "position_key",
]

STATE_VERSION = 1
KEY_SEPARATOR = "|"


def position_key(actor_id: str, topic_id: str) -> str:
    """The table key of one (actor, topic): ``"<actor id>|<topic id>"``."""
    return f"{actor_id}{KEY_SEPARATOR}{topic_id}"


def alert_id(actor_id: str, topic_id: str, previous_stance_id: str, current_stance_id: str, kind: str) -> str:
    """Deterministic alert id: 24 hex digits of SHA-256 over the five parts."""
    return short_hash(actor_id, topic_id, previous_stance_id, current_stance_id, kind, n=24)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise TypeError(f"published_at must be a datetime or an ISO string, got {type(value).__name__}")


def event_order(item: Any) -> tuple[datetime, str, str]:
    """Sort key for offline runs: ``sorted(items, key=event_order)``.

    Articles (or raw article dicts) sort by ``(published_at, id)``; stances by
    ``(published_at, article_id, id)`` so one article's stances stay together.
    Naive times are taken as UTC. Both give 3-tuples, so they sort together.
    """
    get = item.get if isinstance(item, Mapping) else (lambda name, default=None: getattr(item, name, default))
    published = _parse_time(get("published_at"))
    article_id = get("article_id")
    if article_id is not None:
        return published, str(article_id), str(get("id"))
    return published, str(get("id")), ""


class _StateModel(BaseModel):
    # Stored in a changelog topic: tolerate fields a newer worker may have added.
    model_config = ConfigDict(extra="ignore")


class HistoryEntry(_StateModel):
    """One applied stance as the tracker remembers it."""

    stance_id: str
    article_id: str
    published_at: datetime  # the article's time
    event_time: datetime  # when the statement was made (see module docstring)
    tense: Tense
    polarity: Polarity
    confidence: float
    confident: bool  # confidence > min_confidence when applied
    effective: bool  # current-tense, non-neutral and confident
    speaker: SpeakerRef | None = None
    evidence: str = ""
    evidence_start: int = 0
    target_text: str = ""
    condition: str | None = None

    def order(self) -> tuple:
        """The event order: (event time, past before current, confidence, evidence start, stance id)."""
        return (self.event_time, 0 if self.tense == "past" else 1, self.confidence, self.evidence_start, self.stance_id)

    def confident_current(self) -> bool:
        """Current-tense with confidence > min_confidence (any polarity)."""
        return self.tense == "current" and self.confident

    def statement(self) -> Statement:
        return Statement(stance_id=self.stance_id, polarity=self.polarity, article_id=self.article_id,
                         published_at=self.published_at, speaker=self.speaker, evidence=self.evidence,
                         target_text=self.target_text)


class AlertRecord(_StateModel):
    """An alert this key raised (without ``detected_at``: state never depends on the clock)."""

    id: str
    kind: ChangeKind
    previous_stance_id: str
    current_stance_id: str


class KeyState(_StateModel):
    """Everything the tracker knows about one (actor, topic). JSON-serialisable:
    ``state.model_dump(mode="json")`` / ``KeyState.model_validate(d)`` (or
    :meth:`to_json_dict` / :meth:`from_json_dict`)."""

    state_version: int = STATE_VERSION
    actor: ActorRef
    topic: TopicRef
    history: list[HistoryEntry] = Field(default_factory=list)  # ascending event order
    applied_ids: list[str] = Field(default_factory=list)  # sorted; history ids + kept alerts' stance ids
    alerts: list[AlertRecord] = Field(default_factory=list)  # oldest first, last history_limit kept
    softened_position: str | None = None  # stance id of the position a softening was raised for
    last_reversal_article: str | None = None  # article id of the last reversal's current statement
    last_reversal_polarity: Polarity | None = None  # ... and its polarity

    @property
    def key(self) -> str:
        return position_key(self.actor.id, self.topic.id)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> KeyState:
        return cls.model_validate(dict(data))

    def position_entry(self) -> HistoryEntry | None:
        return _newest(e for e in self.history if e.effective)

    def position(self) -> Statement | None:
        entry = self.position_entry()
        return entry.statement() if entry else None


def current_position(state: KeyState | None) -> Statement | None:
    """The current position of a key (the newest effective statement), or None."""
    return state.position() if state is not None else None


def _newest(entries: Iterable[HistoryEntry]) -> HistoryEntry | None:
    best = None
    for e in entries:
        if best is None or e.order() > best.order():
            best = e
    return best


def _entry(stance: StanceRecord, min_confidence: float) -> HistoryEntry:
    published = _utc(stance.published_at)
    if stance.tense == "past":
        stated = _utc(stance.stated_at) if stance.stated_at is not None else published
        event_time = min(stated, published)
    else:
        event_time = published
    confident = stance.confidence > min_confidence
    return HistoryEntry(
        stance_id=stance.id, article_id=stance.article_id, published_at=published, event_time=event_time,
        tense=stance.tense, polarity=stance.polarity, confidence=stance.confidence,
        effective=stance.tense == "current" and stance.polarity != "neutral" and confident,
        confident=confident,
        speaker=stance.speaker, evidence=stance.evidence.text, evidence_start=stance.evidence.start,
        target_text=stance.target_text, condition=stance.condition,
    )


def _protected(history: list[HistoryEntry]) -> set[str]:
    """Stance ids that trimming must keep (see the module docstring)."""
    keep: set[str] = set()
    effective = [e for e in history if e.effective]
    position = _newest(effective)
    if position is not None:
        keep.add(position.stance_id)
        before = _newest(e for e in effective if e.order() < position.order())
        if before is not None:
            keep.add(before.stance_id)
        other = _newest(e for e in effective if e.article_id != position.article_id)
        if other is not None:
            keep.add(other.stance_id)
    confident = _newest(e for e in history if e.confident_current())
    if confident is not None:
        keep.add(confident.stance_id)
    return keep


def _trim(history: list[HistoryEntry], limit: int) -> list[HistoryEntry]:
    if len(history) <= limit:
        return history
    keep = _protected(history)
    excess = len(history) - limit
    out = []
    for e in history:  # ascending: drop the oldest unprotected first
        if excess and e.stance_id not in keep:
            excess -= 1
            continue
        out.append(e)
    return out


def apply_stance(state: KeyState | None, stance: StanceRecord, *, min_confidence: float, history_limit: int,
                 now: datetime, softening: bool = False) -> tuple[KeyState, list[PositionChange]]:
    """Fold one stance into its key's state. Returns ``(new state, alerts)``.

    The input state is not modified. A stance already applied (id in
    ``state.applied_ids``) returns the very same state object and no alert.
    ``now`` only fills ``detected_at`` of the alerts.
    """
    if history_limit < 1:
        raise ValueError("history_limit must be at least 1")
    if state is not None:
        if state.actor.id != stance.actor.id or state.topic.id != stance.topic.id:
            raise ValueError(f"stance {stance.id!r} is for {position_key(stance.actor.id, stance.topic.id)!r}, "
                             f"not for this state's key {state.key!r}")
        if stance.id in set(state.applied_ids):
            return state, []

    new = _entry(stance, min_confidence)
    history = list(state.history) if state else []
    alerts = list(state.alerts) if state else []
    softened = state.softened_position if state else None
    last_article = state.last_reversal_article if state else None
    last_polarity = state.last_reversal_polarity if state else None
    actor, topic = (state.actor, state.topic) if state else (stance.actor, stance.topic)
    if not history or new.order() > history[-1].order():
        actor, topic = stance.actor, stance.topic  # names follow the newest statement

    position = _newest(e for e in history if e.effective)
    changes: list[PositionChange] = []

    def raise_alert(kind: ChangeKind, previous: HistoryEntry) -> None:
        aid = alert_id(stance.actor.id, stance.topic.id, previous.stance_id, new.stance_id, kind)
        if any(a.id == aid for a in alerts):
            return
        alerts.append(AlertRecord(id=aid, kind=kind, previous_stance_id=previous.stance_id,
                                  current_stance_id=new.stance_id))
        changes.append(PositionChange(id=aid, kind=kind, actor=actor, topic=topic, previous=previous.statement(),
                                      current=new.statement(), detected_at=now))

    if new.effective and (position is None or new.order() > position.order()):
        previous = _newest(e for e in history
                           if e.effective and e.article_id != new.article_id and e.order() < new.order())
        announced = (new.article_id, new.polarity) == (last_article, last_polarity)
        if previous is not None and previous.polarity != new.polarity and not announced:
            raise_alert("reversal", previous)
            last_article, last_polarity = new.article_id, new.polarity
    elif (softening and new.confident_current() and new.polarity == "neutral" and position is not None
          and new.order() > position.order() and new.article_id != position.article_id
          and softened != position.stance_id):
        newest_confident = _newest(e for e in history if e.confident_current())
        if newest_confident is None or new.order() > newest_confident.order():
            raise_alert("softening", position)
            softened = position.stance_id

    history.append(new)
    history.sort(key=HistoryEntry.order)
    history = _trim(history, history_limit)
    alerts = alerts[-history_limit:]
    ids = {e.stance_id for e in history}
    for a in alerts:
        ids.add(a.previous_stance_id)
        ids.add(a.current_stance_id)
    new_state = KeyState(actor=actor, topic=topic, history=history, applied_ids=sorted(ids), alerts=alerts,
                         softened_position=softened, last_reversal_article=last_article,
                         last_reversal_polarity=last_polarity)
    return new_state, changes


class PositionTracker:
    """An in-memory dict of :class:`KeyState` for offline runs and tests."""

    def __init__(self, *, min_confidence: float = 0.5, history_limit: int = 50, softening: bool = False) -> None:
        if history_limit < 1:
            raise ValueError("history_limit must be at least 1")
        self.min_confidence = min_confidence
        self.history_limit = history_limit
        self.softening = softening
        self.states: dict[str, KeyState] = {}

    def apply(self, stance: StanceRecord, *, now: datetime | None = None) -> list[PositionChange]:
        key = position_key(stance.actor.id, stance.topic.id)
        state, changes = apply_stance(
            self.states.get(key), stance, min_confidence=self.min_confidence, history_limit=self.history_limit,
            now=now if now is not None else datetime.now(timezone.utc), softening=self.softening,
        )
        self.states[key] = state
        return changes

    def apply_all(self, stances: Iterable[StanceRecord], *, now: datetime | None = None) -> list[PositionChange]:
        out: list[PositionChange] = []
        for stance in stances:
            out.extend(self.apply(stance, now=now))
        return out

    def state(self, actor_id: str, topic_id: str) -> KeyState | None:
        return self.states.get(position_key(actor_id, topic_id))

    def position(self, actor_id: str, topic_id: str) -> Statement | None:
        return current_position(self.state(actor_id, topic_id))

    def positions(self, actor_id: str) -> dict[str, Statement]:
        """Topic id -> current position for one actor (topics without a position are left out)."""
        out = {}
        for state in self.states.values():
            if state.actor.id == actor_id:
                pos = state.position()
                if pos is not None:
                    out[state.topic.id] = pos
        return dict(sorted(out.items()))

    def history(self, actor_id: str, topic_id: str) -> list[HistoryEntry]:
        state = self.state(actor_id, topic_id)
        return list(state.history) if state else []

    def current_polarities(self) -> dict[tuple[str, str], str]:
        """(actor id, topic id) -> polarity of the current position, for every key that has one."""
        out = {}
        for state in self.states.values():
            pos = state.position()
            if pos is not None:
                out[(state.actor.id, state.topic.id)] = pos.polarity
        return dict(sorted(out.items()))
