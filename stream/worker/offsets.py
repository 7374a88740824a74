"""Which input offsets the agents may process, and which offset may be committed.

Faust (faust-streaming 0.15.3) can hand an agent a partition's records out of
order after a restart or rebalance, skip some of them, and then count the
skipped ones as acknowledged, so a worker could commit past articles it never
processed (see :mod:`stream.worker.faust_compat` for the traced causes). The
guard here takes that decision away from Faust for the topics our agents
consume. Per partition it keeps:

- the **next expected offset**: the committed offset when the partition was
  assigned (or the log start when nothing was committed or retention deleted
  it). Only that offset is admitted; a lower one is a duplicate and is dropped;
  a higher one means records were skipped, so it is dropped too and the
  consumer is asked to seek back (at most once per ``seek_interval``);
- the **offsets in flight**: admitted, not finished. The commit mark is the
  lowest of them, or the next expected offset when none is in flight, so a
  commit never passes an unfinished record and never counts a gap;
- an **epoch**, bumped on every assignment and revocation: a ticket from an
  older epoch can no longer move the commit mark, and an agent can ask whether
  its ticket is still current before it writes a table (a revoked partition
  belongs to another worker now).

This module is pure bookkeeping, with no Faust import: the Faust glue lives in
:mod:`stream.worker.faust_compat`, and the unit tests drive both together.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Seconds between two seeks of one partition, and how long a partition may sit
#: behind its high-water mark with nothing in flight before the watch re-seeks.
SEEK_INTERVAL = 2.0


@dataclass(frozen=True, order=True)
class Partition:
    """A topic partition, as the guard keys it (Faust's ``TP`` converts with ``Partition(*tp)``)."""

    topic: str
    partition: int


class Verdict(enum.Enum):
    """What the guard says about a delivered record."""

    ADMIT = "admit"  # the next expected offset: process it
    DUPLICATE = "duplicate"  # below the next expected offset, or already in flight: drop
    AHEAD = "ahead"  # above it: records were skipped; drop and seek back
    UNSTARTED = "unstarted"  # the start offset is not known yet: look it up, then ask again
    NOT_ASSIGNED = "not_assigned"  # the partition is not ours (revoked): drop


@dataclass(frozen=True)
class Ticket:
    """An admitted record: finish it (or rewind to it) with this ticket."""

    partition: Partition
    offset: int
    epoch: int


@dataclass(frozen=True)
class Admission:
    """The verdict on one record; ``seek_to`` is set when the consumer should seek now."""

    verdict: Verdict
    ticket: Ticket | None = None
    seek_to: int | None = None

    @property
    def admitted(self) -> bool:
        return self.verdict is Verdict.ADMIT


@dataclass(frozen=True)
class Start:
    """Where a partition starts after an assignment; ``skipped`` offsets were deleted by retention."""

    expected: int
    skipped: int


@dataclass(frozen=True)
class Stall:
    """How long a partition's commits have not moved while its records were being finished."""

    partition: Partition
    seconds: float
    mark: int | None
    committed: int | None


@dataclass
class _State:
    epoch: int
    assigned_at: float
    expected: int | None = None
    in_flight: set[int] = field(default_factory=set)
    last_activity: float = 0.0
    last_seek: float | None = None
    # stall detection: when the committed offset last moved, and records finished since then
    committed: int | None = None
    committed_moved_at: float = 0.0
    finished_since_commit: int = 0


class OffsetGuard:
    """Per-partition admission and commit marks for the topics in ``topics``."""

    def __init__(self, topics: Iterable[str], *, seek_interval: float = SEEK_INTERVAL) -> None:
        self.topics = frozenset(topics)
        self.seek_interval = seek_interval
        self._states: dict[Partition, _State] = {}
        self._epochs: dict[Partition, int] = {}

    # ------------------------------------------------------------------ rebalances

    def owns(self, topic: str) -> bool:
        return topic in self.topics

    def _bump(self, p: Partition) -> int:
        self._epochs[p] = self._epochs.get(p, 0) + 1
        return self._epochs[p]

    def assign(self, partitions: Iterable[Partition], now: float) -> None:
        """A new assignment: every partition starts over (start offset unknown, nothing in flight)."""
        for p in partitions:
            if p.topic in self.topics:
                self._states[p] = _State(epoch=self._bump(p), assigned_at=now, last_activity=now,
                                         committed_moved_at=now)

    def revoke(self, partitions: Iterable[Partition]) -> None:
        """Partitions taken away: their tickets are stale from now on."""
        for p in partitions:
            if p.topic in self.topics:
                self._bump(p)
                self._states.pop(p, None)

    def assigned(self) -> list[Partition]:
        return sorted(self._states)

    # ------------------------------------------------------------------ admission

    def started(self, p: Partition) -> bool:
        state = self._states.get(p)
        return state is not None and state.expected is not None

    def start(self, p: Partition, committed: int | None, log_start: int, now: float) -> Start | None:
        """Set the start offset once per assignment (later calls keep the first answer)."""
        state = self._states.get(p)
        if state is None:
            return None
        if state.expected is not None:
            return Start(state.expected, 0)
        begin = log_start if committed is None else committed
        skipped = max(log_start - begin, 0)
        state.expected = max(begin, log_start)
        state.committed = committed
        state.committed_moved_at = now
        return Start(state.expected, skipped)

    def skip_to(self, p: Partition, log_start: int) -> int:
        """Retention deleted offsets below ``log_start`` that were never processed: move past them."""
        state = self._states.get(p)
        if state is None or state.expected is None or state.expected >= log_start:
            return 0
        skipped = log_start - state.expected
        state.expected = log_start
        state.last_seek = None
        return skipped

    def admit(self, p: Partition, offset: int, now: float) -> Admission:
        state = self._states.get(p)
        if state is None:
            return Admission(Verdict.NOT_ASSIGNED)
        if state.expected is None:
            return Admission(Verdict.UNSTARTED)
        if offset == state.expected:
            state.expected += 1
            state.in_flight.add(offset)
            state.last_activity = now
            state.last_seek = None
            return Admission(Verdict.ADMIT, Ticket(p, offset, state.epoch))
        if offset < state.expected:
            return Admission(Verdict.DUPLICATE)
        return Admission(Verdict.AHEAD, seek_to=self._seek_if_due(state, now))

    def _seek_if_due(self, state: _State, now: float) -> int | None:
        if state.last_seek is not None and now - state.last_seek < self.seek_interval:
            return None
        state.last_seek = now
        state.last_activity = now
        return state.expected

    # ------------------------------------------------------------------ finishing

    def current(self, ticket: Ticket) -> bool:
        """Whether the ticket's partition is still ours, in the epoch that admitted it."""
        state = self._states.get(ticket.partition)
        return state is not None and state.epoch == ticket.epoch

    def finish(self, ticket: Ticket, now: float) -> bool:
        """The record is done (processed or dead-lettered); False if the ticket is stale."""
        if not self.current(ticket):
            return False
        state = self._states[ticket.partition]
        if ticket.offset in state.in_flight:
            state.in_flight.discard(ticket.offset)
            state.finished_since_commit += 1
            state.last_activity = now
        return True

    def rewind(self, ticket: Ticket, now: float) -> int | None:
        """Process the ticket's record again: forget it and everything admitted after it.

        Returns the offset to seek to (None if the ticket is stale).
        """
        if not self.current(ticket):
            return None
        state = self._states[ticket.partition]
        state.in_flight = {o for o in state.in_flight if o < ticket.offset}
        state.expected = ticket.offset
        state.last_seek = now
        state.last_activity = now
        return ticket.offset

    # ------------------------------------------------------------------ commits and watching

    def commit_mark(self, p: Partition) -> int | None:
        """The offset that may be committed: the lowest unfinished one (None before the start is known)."""
        state = self._states.get(p)
        if state is None or state.expected is None:
            return None
        return min(state.in_flight) if state.in_flight else state.expected

    def idle_seek(self, p: Partition, highwater: int | None, now: float) -> int | None:
        """For a periodic watch: seek back when records wait beyond the expected offset and none arrive.

        That happens when the skipped records were the last ones fetched (no later
        record shows the jump), or when a seek was overtaken by stale records.
        """
        state = self._states.get(p)
        if state is None or state.expected is None or highwater is None:
            return None
        if state.in_flight or state.expected >= highwater:
            return None
        if now - state.last_activity < self.seek_interval:
            return None
        return self._seek_if_due(state, now)

    def unstarted_since(self, p: Partition, now: float) -> float | None:
        """Seconds since assignment for a partition whose start offset is still unknown."""
        state = self._states.get(p)
        if state is None or state.expected is not None:
            return None
        return now - state.assigned_at

    def observe_commit(self, p: Partition, committed: int | None, now: float) -> Stall | None:
        """Record the committed offset; report a stall when it has not moved while records finished."""
        state = self._states.get(p)
        if state is None:
            return None
        if committed != state.committed:
            state.committed = committed
            state.committed_moved_at = now
            state.finished_since_commit = 0
            return None
        if state.finished_since_commit == 0:
            state.committed_moved_at = now  # idle, not stalled
            return None
        return Stall(p, now - state.committed_moved_at, self.commit_mark(p), committed)
