"""The timeline chart's geometry: a shared time axis, one band per row, a marker per statement.

Pure arithmetic, no markup: :func:`chart` turns rows into a :class:`Chart` of coordinates and
SVG path data, and the ``timeline.svg`` template draws it (escaping every label). Keeping the
geometry here makes it testable without parsing SVG: a marker's x is its event time on the axis,
a reversal's arc starts at the previous statement's marker and ends at the current one's.

Encoding, so the chart reads without colour too: support is a triangle pointing up, oppose a
triangle pointing down, neutral a circle; a recollection (past tense) is hollow with a dashed
outline; a statement below the confidence threshold is faded; the current position is ringed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from stream.worker.pages.timeline import Point, Reversal, Row

__all__ = ["Arc", "Axis", "Chart", "Marker", "RowLayout", "Tick", "axis_for", "chart", "day_label", "shape_path"]

WIDTH = 1000.0
GUTTER = 210.0  # room for the row labels on the left
RIGHT = 28.0
AXIS_HEIGHT = 34.0
ROW_HEIGHT = 84.0
RADIUS = 8.0
LANE = 17.0  # vertical offset between statements that would overlap
MAX_TICKS = 8

_EPOCH_MONDAY = datetime(1970, 1, 5, tzinfo=timezone.utc)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Axis:
    start: datetime
    end: datetime
    x0: float
    x1: float
    ticks: tuple[Tick, ...]

    def x(self, when: datetime) -> float:
        """The horizontal position of a time (clamped to the axis)."""
        span = (self.end - self.start).total_seconds()
        frac = (when - self.start).total_seconds() / span if span > 0 else 0.5
        return round(self.x0 + min(max(frac, 0.0), 1.0) * (self.x1 - self.x0), 2)


@dataclass(frozen=True)
class Marker:
    point: Point
    x: float
    y: float
    d: str  # SVG path data of the shape
    classes: str


@dataclass(frozen=True)
class Arc:
    reversal: Reversal
    d: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RowLayout:
    row: Row
    top: float
    mid: float
    markers: tuple[Marker, ...]
    arcs: tuple[Arc, ...]


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    axis: Axis
    rows: tuple[RowLayout, ...]
    row_height: float = ROW_HEIGHT


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def day_label(t: datetime, *, year: bool = True) -> str:
    """``3 Nov 2026`` (no zero padding, English month names whatever the locale)."""
    t = _utc(t)
    return f"{t.day} {_MONTHS[t.month - 1]}" + (f" {t.year}" if year else "")


def _month_starts(start: datetime, end: datetime, every: int) -> list[datetime]:
    t = datetime(start.year, start.month, 1, tzinfo=timezone.utc)
    out = []
    while t <= end:
        if t >= start and (t.month - 1) % every == 0:
            out.append(t)
        y, m = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
        t = datetime(y, m, 1, tzinfo=timezone.utc)
    return out


def _fixed(start: datetime, end: datetime, step: timedelta, anchor: datetime) -> list[datetime]:
    n = -((anchor - start) // step)  # ceil((start - anchor) / step)
    t = anchor + n * step
    out = []
    while t <= end:
        out.append(t)
        t += step
    return out


_HOUR, _DAY = timedelta(hours=1), timedelta(days=1)
_STEPS: tuple[tuple[str, object], ...] = (
    ("hour", _HOUR), ("hour", 3 * _HOUR), ("hour", 6 * _HOUR), ("hour", 12 * _HOUR),
    ("day", _DAY), ("day", 2 * _DAY), ("week", 7 * _DAY), ("week", 14 * _DAY),
    ("month", 1), ("month", 2), ("month", 3), ("month", 6), ("year", 12), ("year", 24), ("year", 60),
)


def _ticks(start: datetime, end: datetime) -> tuple[str, object, list[datetime]]:
    times: list[datetime] = []
    unit, step = _STEPS[-1]
    for unit, step in _STEPS:
        if isinstance(step, timedelta):
            anchor = _EPOCH_MONDAY if unit == "week" else datetime(1970, 1, 1, tzinfo=timezone.utc)
            times = _fixed(start, end, step, anchor)
        else:
            times = _month_starts(start, end, int(step))
        if len(times) <= MAX_TICKS:
            break
    return unit, step, times


def axis_for(times: Iterable[datetime], x0: float = GUTTER, x1: float = WIDTH - RIGHT) -> Axis:
    """A time axis covering ``times`` with a little room on both sides and at most 8 labelled ticks."""
    ts = sorted(_utc(t) for t in times)
    if not ts:
        now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        ts = [now]
    lo, hi = ts[0], ts[-1]
    span = hi - lo
    pad = timedelta(hours=12) if span < timedelta(hours=1) else span * 0.05
    start, end = lo - pad, hi + pad
    unit, step, tick_times = _ticks(start, end)
    step_months = step if isinstance(step, int) else 0
    axis = Axis(start, end, x0, x1, ())
    ticks = []
    last_year = None
    for t in tick_times:
        if unit == "hour":
            label = f"{day_label(t, year=False)} {t:%H:%M}"
        elif unit in ("day", "week"):
            label = day_label(t, year=t.year != last_year)
        elif unit == "month":
            # the year on the first tick and at each new year; every tick when they are half a year apart
            label = _MONTHS[t.month - 1] + (f" {t.year}" if t.year != last_year or step_months >= 6 else "")
        else:
            label = str(t.year)
        last_year = t.year
        ticks.append(Tick(axis.x(t), label))
    return Axis(start, end, x0, x1, tuple(ticks))


def shape_path(polarity: str, x: float, y: float, r: float = RADIUS) -> str:
    """Support: triangle up; oppose: triangle down; neutral: circle (as one path, so all markers are paths)."""
    f = lambda v: f"{v:.2f}".rstrip("0").rstrip(".")  # noqa: E731
    if polarity == "support":
        return f"M{f(x)},{f(y - r * 1.2)} L{f(x + r)},{f(y + r * 0.75)} L{f(x - r)},{f(y + r * 0.75)} Z"
    if polarity == "oppose":
        return f"M{f(x)},{f(y + r * 1.2)} L{f(x + r)},{f(y - r * 0.75)} L{f(x - r)},{f(y - r * 0.75)} Z"
    return f"M{f(x - r)},{f(y)} A{f(r)},{f(r)} 0 1,0 {f(x + r)},{f(y)} A{f(r)},{f(r)} 0 1,0 {f(x - r)},{f(y)} Z"


def _classes(p: Point) -> str:
    out = ["point", p.polarity]
    if p.recalled:
        out.append("recalled")
    elif p.polarity != "neutral" and not p.effective:
        out.append("weak")
    if p.is_position:
        out.append("position")
    return " ".join(out)


def _lanes(xs: Sequence[float]) -> list[int]:
    """A lane per marker so that markers closer than their width stack above and below the row's line."""
    order = (0, -1, 1, -2, 2)
    last: dict[int, float] = {}
    out = []
    for x in xs:
        lane = next((k for k in order if x - last.get(k, -1e9) >= 2 * RADIUS + 3), 0)
        last[lane] = x
        out.append(lane)
    return out


def chart(rows: Sequence[Row], *, width: float = WIDTH) -> Chart:
    """Lay out rows on one shared axis (so rows are comparable), top to bottom in the given order."""
    axis = axis_for((p.event_time for r in rows for p in r.points), GUTTER, width - RIGHT)
    layouts = []
    for i, row in enumerate(rows):
        top = AXIS_HEIGHT + i * ROW_HEIGHT
        mid = top + ROW_HEIGHT / 2 + 6  # a little low: arcs rise above the line
        xs = [axis.x(p.event_time) for p in row.points]
        lanes = _lanes(xs)
        markers = []
        where: dict[str, tuple[float, float]] = {}
        for p, x, lane in zip(row.points, xs, lanes):
            y = mid + lane * LANE
            where[p.stance_id] = (x, y)
            markers.append(Marker(p, x, y, shape_path(p.polarity, x, y), _classes(p)))
        arcs = []
        for rev in row.reversals:
            if not rev.drawable:
                continue
            (x1, y1), (x2, y2) = where[rev.previous_stance_id], where[rev.current_stance_id]
            lift = min(max(abs(x2 - x1) / 4, 18.0), ROW_HEIGHT / 2 - 4)
            cy = max(min(y1, y2) - lift - RADIUS, top + 2)
            cx = (x1 + x2) / 2 if abs(x2 - x1) > 1 else x1 + 24
            d = f"M{x1:.2f},{y1 - RADIUS:.2f} Q{cx:.2f},{cy:.2f} {x2:.2f},{y2 - RADIUS - 2:.2f}"
            arcs.append(Arc(rev, d, x1, y1, x2, y2))
        layouts.append(RowLayout(row, top, mid, tuple(markers), tuple(arcs)))
    height = AXIS_HEIGHT + max(len(rows), 1) * ROW_HEIGHT + 8
    return Chart(width, height, axis, tuple(layouts))
