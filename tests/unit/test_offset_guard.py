"""The offset guard (stream/worker/offsets.py) with Faust's real commit bookkeeping.

Faust's ``Consumer._add_gap`` and ``Consumer._new_offset`` run on a consumer object that
has only the bookkeeping attributes Faust's ``__init__`` gives it (no broker). The drain
step below is the forward-jump logic of ``Consumer._drain_messages`` in faust-streaming
0.15.3, so the sequences are the ones a restarted worker sees.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from faust.transport.drivers.aiokafka import Consumer  # concrete; the bookkeeping is the base class's
from faust.types import TP
from intervaltree import IntervalTree

from stream.worker import faust_compat
from stream.worker.offsets import OffsetGuard, Partition, Verdict

TOPIC = "articles"
TPX = TP(TOPIC, 0)
P = Partition(TOPIC, 0)


def bare_consumer(committed: int | None) -> Consumer:
    c = Consumer.__new__(Consumer)
    c._gap = defaultdict(IntervalTree)
    c._acked = defaultdict(list)
    c._acked_index = defaultdict(set)
    c._read_offset = defaultdict(lambda: None)
    c._committed_offset = defaultdict(lambda: None)
    c._committed_offset[TPX] = committed
    return c


def drain(c: Consumer, offset: int) -> bool:
    """One record through Faust's drain loop: True if it is delivered to the agent."""
    r = c._read_offset[TPX]
    if r is None or offset >= r:
        if offset - (r or 0) > 1 and r:
            asyncio.run(c._add_gap(TPX, r + 1, offset))
        c._read_offset[TPX] = offset
        return True
    return False


def faust_ack(c: Consumer, offset: int) -> None:
    """What ``Consumer.ack`` records for an acknowledged offset."""
    c._acked_index[TPX].add(offset)
    c._acked[TPX].append(offset)


@pytest.fixture
def guard(monkeypatch):
    g = OffsetGuard([TOPIC], seek_interval=2.0)
    monkeypatch.setattr(faust_compat, "_guard", g)
    monkeypatch.setitem(faust_compat._originals, "new_offset", Consumer._new_offset)
    return g


def test_faust_alone_commits_past_records_it_skipped():
    """The bug: after a seek overtaken by a stale batch, Faust's gap makes 11-13 count as acked."""
    c = bare_consumer(committed=10)
    c._read_offset[TPX] = 10  # perform_seek put the read offset back to the committed one...
    assert drain(c, 14)  # ...while the drain loop still iterates the stale batch
    faust_ack(c, 14)  # the agent processed 14
    assert Consumer._new_offset(c, TPX) == 15  # 10-13 never processed, yet committed past


def test_faust_off_by_one_commits_past_the_first_unprocessed_offset():
    """Upstream #606: with 10 committed and 11, 12 acked, offset 10 itself is passed."""
    c = bare_consumer(committed=10)
    faust_ack(c, 11)
    faust_ack(c, 12)
    assert Consumer._new_offset(c, TPX) == 13


def test_guard_holds_the_commit_and_seeks_back_on_a_forward_jump(guard):
    c = bare_consumer(committed=10)
    guard.assign([P], now=0.0)
    assert guard.admit(P, 14, now=0.0).verdict is Verdict.UNSTARTED
    guard.start(P, committed=10, log_start=0, now=0.0)
    c._read_offset[TPX] = 10
    assert drain(c, 14)
    adm = guard.admit(P, 14, now=0.1)
    assert adm.verdict is Verdict.AHEAD and adm.seek_to == 10
    faust_ack(c, 14)  # Faust's housekeeping ack of the dropped record must not count
    assert faust_compat._guarded_new_offset(c, TPX) == 10
    assert not c._acked[TPX] and not c._gap.get(TPX)  # Faust's lists do not grow
    # a second stale record within the seek interval: dropped, no new seek
    again = guard.admit(P, 15, now=0.2)
    assert again.verdict is Verdict.AHEAD and again.seek_to is None
    # after the seek: 10, 11, ... in order
    tickets = [guard.admit(P, o, now=1.0).ticket for o in (10, 11, 12)]
    assert all(tickets)
    assert faust_compat._guarded_new_offset(c, TPX) == 10  # all in flight
    guard.finish(tickets[1], now=1.1)
    assert faust_compat._guarded_new_offset(c, TPX) == 10  # 10 still unfinished
    guard.finish(tickets[0], now=1.2)
    assert faust_compat._guarded_new_offset(c, TPX) == 12
    guard.finish(tickets[2], now=1.3)
    assert faust_compat._guarded_new_offset(c, TPX) == 13


def test_guard_fixes_the_off_by_one(guard):
    c = bare_consumer(committed=10)
    guard.assign([P], now=0.0)
    guard.start(P, committed=10, log_start=0, now=0.0)
    assert guard.admit(P, 11, now=0.0).verdict is Verdict.AHEAD
    faust_ack(c, 11)
    faust_ack(c, 12)
    assert faust_compat._guarded_new_offset(c, TPX) == 10


def test_duplicates_are_dropped_and_other_topics_keep_faust_rules(guard):
    guard.assign([P], now=0.0)
    guard.start(P, committed=None, log_start=0, now=0.0)
    t0 = guard.admit(P, 0, now=0.0).ticket
    assert t0 is not None
    assert guard.admit(P, 0, now=0.0).verdict is Verdict.DUPLICATE  # in flight
    guard.finish(t0, now=0.1)
    assert guard.admit(P, 0, now=0.2).verdict is Verdict.DUPLICATE  # done
    changelog = TP("app-positions-changelog", 0)
    c = bare_consumer(committed=None)
    c._acked[changelog].extend([0, 1, 2])
    assert faust_compat._guarded_new_offset(c, changelog) == 3  # Faust's own answer


def test_a_revoke_makes_tickets_stale(guard):
    guard.assign([P], now=0.0)
    guard.start(P, committed=5, log_start=0, now=0.0)
    old = guard.admit(P, 5, now=0.0).ticket
    guard.revoke([P])
    assert not guard.current(old)
    assert guard.admit(P, 6, now=0.0).verdict is Verdict.NOT_ASSIGNED
    assert guard.commit_mark(P) is None  # nothing is committed for a partition we do not own
    guard.assign([P], now=1.0)  # the same partition back, in a new epoch
    assert not guard.current(old)
    assert guard.finish(old, now=1.0) is False
    guard.start(P, committed=5, log_start=0, now=1.0)
    assert guard.admit(P, 5, now=1.0).admitted  # processed again: the old run never finished it


def test_rewind_processes_a_failed_record_again(guard):
    guard.assign([P], now=0.0)
    guard.start(P, committed=0, log_start=0, now=0.0)
    t = [guard.admit(P, o, now=0.0).ticket for o in range(3)]
    guard.finish(t[0], now=0.1)
    assert guard.rewind(t[1], now=0.2) == 1
    assert guard.commit_mark(P) == 1
    assert guard.admit(P, 2, now=0.3).verdict is Verdict.AHEAD
    assert guard.admit(P, 1, now=0.3).admitted


def test_retention_and_a_fresh_group_start_at_the_log_start(guard):
    guard.assign([P], now=0.0)
    start = guard.start(P, committed=3, log_start=40, now=0.0)
    assert (start.expected, start.skipped) == (40, 37)
    q = Partition(TOPIC, 1)
    guard.assign([q], now=0.0)
    assert guard.start(q, committed=None, log_start=7, now=0.0).expected == 7
    assert guard.skip_to(q, 9) == 2 and guard.admit(q, 9, now=0.0).admitted


def test_idle_seek_is_rate_limited_and_waits_for_quiet(guard):
    guard.assign([P], now=0.0)
    guard.start(P, committed=10, log_start=0, now=0.0)
    assert guard.idle_seek(P, highwater=20, now=1.0) is None  # not quiet long enough
    assert guard.idle_seek(P, highwater=20, now=2.5) == 10
    assert guard.idle_seek(P, highwater=20, now=3.0) is None  # rate limit
    assert guard.idle_seek(P, highwater=20, now=4.6) == 10  # re-armed: the seek did not deliver
    t = guard.admit(P, 10, now=5.0).ticket
    assert guard.idle_seek(P, highwater=20, now=9.0) is None  # something in flight
    guard.finish(t, now=9.0)
    assert guard.idle_seek(P, highwater=11, now=20.0) is None  # caught up


def test_a_stall_is_reported_only_while_records_finish(guard):
    guard.assign([P], now=0.0)
    guard.start(P, committed=0, log_start=0, now=0.0)
    assert guard.observe_commit(P, 0, now=10.0) is None  # idle
    stuck = guard.admit(P, 0, now=10.0).ticket
    assert stuck is not None
    for o in range(1, 4):
        guard.finish(guard.admit(P, o, now=11.0).ticket, now=11.0)
    stall = guard.observe_commit(P, 0, now=45.0)
    assert stall is not None and stall.seconds == pytest.approx(35.0) and stall.mark == 0
    guard.finish(stuck, now=46.0)
    assert guard.observe_commit(P, 4, now=47.0) is None  # the commit moved
