"""The HTML pages: page objects in, a complete HTML document (with inline SVG) out.

Jinja2 with autoescaping on for every template and ``StrictUndefined``: every string that
comes from an article (title, body, evidence, target, speaker, source, URL) is escaped where it
is written, so a body holding ``<script>`` shows those characters and runs nothing. The pages
carry no script of their own and load nothing from elsewhere (styles are inline, the chart is
SVG), so they work offline; the views add a Content-Security-Policy that forbids scripts as a
second line of defence, but the escaping does not rely on it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from schemas import EnrichedArticle, PositionChange
from stream.worker.pages.lookup import Match, Resolution
from stream.worker.pages.svg import chart, day_label
from stream.worker.pages.timeline import (
    ActorTimeline, Row, TopicBoard, actor_href, article_href, topic_href,
)

__all__ = [
    "Segment", "actor_page", "alerts_page", "article_page", "error_page", "login_page", "safe_href", "search_page",
    "segments", "timeline_svg", "topic_page",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
SYMBOL = {"support": "\u25b2", "oppose": "\u25bc", "neutral": "\u25cf"}


def _when(t: datetime | None) -> str:
    if t is None:
        return ""
    t = t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)
    return f"{t:%Y-%m-%d %H:%M} UTC"


def _iso(t: datetime | None) -> str:
    if t is None:
        return ""
    t = t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def safe_href(url: str | None) -> str | None:
    """An article's own URL, only when it is http(s): a ``javascript:`` URL in a feed never becomes a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=_when, iso=_iso, day=day_label, symbol=lambda p: SYMBOL.get(p, "?"),
                       conf=lambda c: f"{c:.2f}")
    env.globals.update(actor_href=actor_href, topic_href=topic_href, article_href=article_href,
                       safe_href=safe_href, symbol=SYMBOL)
    return env


def _page(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


def timeline_svg(rows: Sequence[Row], *, caption: str) -> Markup:
    """The chart of some rows on one time axis, as an inline ``<svg>`` element."""
    return Markup(_page("timeline.svg", chart=chart(rows), caption=caption))


def actor_page(timeline: ActorTimeline, *, speaks_for_links: Iterable[tuple[str, str]] = ()) -> str:
    """An actor's page: summary of current positions, the chart (one row per topic), every statement and alert."""
    svg = timeline_svg(timeline.rows, caption=f"Statements of {timeline.actor.name} over time, one row per topic")
    return _page("actor.html", t=timeline, svg=svg, speaks_for_links=list(speaks_for_links),
                 title=f"{timeline.actor.name} \u2014 positions")


def topic_page(board: TopicBoard) -> str:
    """A topic's page: every actor's current position and when it changed, and the chart, one row per actor."""
    svg = timeline_svg(board.rows, caption=f"Statements on {board.topic.label} over time, one row per actor")
    return _page("topic.html", b=board, svg=svg, title=f"{board.topic.label} \u2014 positions")


def alerts_page(alerts: Sequence[PositionChange], *, since: datetime | None, limit: int, total: int) -> str:
    """The alerts, newest first (by the time of the statement that reversed), both statements side by side."""
    return _page("alerts.html", alerts=list(alerts), since=since, limit=limit, total=total, title="Alerts")


@dataclass(frozen=True)
class Segment:
    """A piece of an article body: plain text, or the evidence of one stance."""

    text: str
    stance_id: str | None = None
    polarity: str | None = None


def segments(body: str, spans: Iterable[tuple[int, int, str, str]]) -> list[Segment]:
    """Split a body at the evidence spans ``(start, end, stance id, polarity)``; overlaps are clipped.

    A span wholly inside an earlier one becomes an empty anchor just before that one, so that
    every stance's link (``#stance-ID``) still lands on its evidence.
    """
    out: list[Segment] = []
    pos = 0
    for start, end, sid, pol in sorted(spans, key=lambda s: (s[0], -s[1])):
        start, end = max(start, pos), min(end, len(body))
        if end <= start:
            at = len(out) - 1 if out and out[-1].stance_id else len(out)
            out.insert(at, Segment("", sid, pol))
            continue
        if start > pos:
            out.append(Segment(body[pos:start]))
        out.append(Segment(body[start:end], sid, pol))
        pos = end
    if pos < len(body):
        out.append(Segment(body[pos:]))
    return out


def article_page(item: EnrichedArticle) -> str:
    """One article as received, with every stance's evidence marked in the body and listed below it."""
    spans = [(s.evidence.start, s.evidence.end, s.id, s.polarity) for s in item.stances]
    return _page("article.html", a=item.article, item=item, parts=segments(item.article.body, spans),
                 title=item.article.title or item.article.id)


def search_page(query: str, matches: Sequence[Match], *, listing: bool = False) -> str:
    """Actors matching a name (or, without a query, the actors the table holds statements for)."""
    return _page("search.html", query=query, matches=list(matches), listing=listing,
                 title=f"Actors matching \u201c{query}\u201d" if query else "Actors")


def error_page(status: int, message: str, *, resolution: Resolution | None = None) -> str:
    """A 4xx/5xx page; a failed name lookup lists its candidates as links."""
    options = list(resolution.matches or resolution.suggestions) if resolution else []
    return _page("error.html", status=status, message=message, options=options, title=f"{status}")


def login_page(*, next_path: str, failed: bool, reason: str = "") -> str:
    return _page("login.html", next_path=next_path, failed=failed, reason=reason, title="Log in")
