"""The actor timeline in a terminal: what ``stance positions NAME`` prints.

The same :class:`~stream.worker.pages.timeline.ActorTimeline` as the actor page, in text: per
topic a strip on a shared time axis (the chart's shapes as characters: ``▲`` support, ``▼``
oppose, ``●`` neutral, hollow ``△ ▽ ○`` for a recollection, the current position in brackets
below the strip), then every statement newest first, and the reversals. Plain characters
only, no colour codes, so it pipes and greps.
"""
from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone

from stream.worker.pages.svg import Axis, day_label
from stream.worker.pages.timeline import ActorTimeline, Point, Row

__all__ = ["glyph", "render_timeline", "strip"]

SOLID = {"support": "\u25b2", "oppose": "\u25bc", "neutral": "\u25cf"}
HOLLOW = {"support": "\u25b3", "oppose": "\u25bd", "neutral": "\u25cb"}
STRIP_WIDTH = 56


def glyph(p: Point) -> str:
    return (HOLLOW if p.recalled else SOLID).get(p.polarity, "?")


def _when(t: datetime) -> str:
    t = t.astimezone(timezone.utc) if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return f"{t:%Y-%m-%d %H:%M}"


def strip(row: Row, start: datetime, end: datetime, width: int = STRIP_WIDTH) -> tuple[str, str]:
    """A row's statements as characters on ``width`` columns between two times, and a marker line
    with ``^`` under the current position (a later statement in the same column wins the cell)."""
    axis = Axis(start, end, 0, width - 1, ())
    cells = ["\u2500"] * width
    under = [" "] * width
    for p in row.points:
        col = int(round(axis.x(p.event_time)))
        cells[col] = glyph(p)
        if p.is_position:
            under[col] = "^"
    return "".join(cells), "".join(under).rstrip()


def render_timeline(t: ActorTimeline, *, width: int = STRIP_WIDTH) -> str:
    """The whole timeline as text (see the module docstring)."""
    out: list[str] = []
    n = t.statement_count
    head = f"{t.actor.name} ({t.actor.id}, {t.actor.type}): {n} statement{'s' if n != 1 else ''} on " \
           f"{len(t.rows)} topic{'s' if len(t.rows) != 1 else ''}"
    out.append(head)
    if t.query and t.via in ("alias", "metonym", "speaker"):
        out.append(f"  ({t.query!r} {'spoke for' if t.via == 'speaker' else 'names'} {t.actor.name})")
    for other in t.speaks_for:
        out.append(f"  statements by {t.actor.name} count for {other.name} ({other.id})")
    if not t.rows:
        out.append("  no statement in the positions history")
        return "\n".join(out)
    times = [p.event_time for r in t.rows for p in r.points]
    lo, hi = min(times), max(times)
    pad = (hi - lo) * 0.02 if hi > lo else timedelta(hours=12)
    start, end = lo - pad, hi + pad
    label = f"{day_label(lo)} .. {day_label(hi)}"
    out.append(f"  time axis {label} (event time, UTC); {SOLID['support']} support  {SOLID['oppose']} oppose  "
               f"{SOLID['neutral']} neutral  {HOLLOW['oppose']} recalled  ^ current position")
    for row in t.rows:
        out.append("")
        pos = row.position
        if pos is not None:
            since = row.since.event_time if row.since else pos.event_time
            was = f", was {row.previous_polarity}" if row.previous_polarity else ""
            now = f"now {pos.polarity.upper()} since {day_label(since)}{was}"
        else:
            now = "no current position"
        out.append(f"{row.topic.label} [{row.topic.id}]: {now}")
        line, under = strip(row, start, end, width)
        out.append(f"  |{line}|")
        if under:
            out.append(f"   {under}")
        for p in reversed(row.points):
            flags = []
            if p.recalled:
                flags.append(f"recalled in an article of {day_label(p.published_at)}")
            elif p.polarity != "neutral" and not p.effective:
                flags.append("low confidence")
            if p.is_position:
                flags.append("current")
            extra = f" ({'; '.join(flags)})" if flags else ""
            speaker = f" {p.speaker}:" if p.speaker else ""
            out.append(f"  {_when(p.event_time)} {glyph(p)} {p.polarity:<7} {p.confidence:.2f}{speaker}{extra}")
            evidence = textwrap.shorten(p.evidence, 150, placeholder=" ...")
            out.append(f"      \u201c{evidence}\u201d  [{p.article_id}]")
        for r in row.reversals:
            if r.drawable:
                out.append(f"  {r.kind}: {r.previous.polarity} {day_label(r.previous.event_time)} "
                           f"[{r.previous.article_id}] -> {r.current.polarity} {day_label(r.current.event_time)} "
                           f"[{r.current.article_id}]  alert {r.alert_id}")
            else:
                out.append(f"  {r.kind}: statements no longer in the kept history  alert {r.alert_id}")
    return "\n".join(out)
