"""Read articles from files: Article JSONL, a JSON array, plain text, RSS/Atom.

Used by ``stance process`` and ``stance publish``. Each item comes back as raw
JSON bytes (what would be put on the input topic) plus where it came from, so
that validation happens in one place (:func:`stream.ingest.parse_article`).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from stream.ids import sha_hex

FEED_SUFFIXES = {".rss", ".atom", ".xml"}


@dataclass(frozen=True, slots=True)
class RawItem:
    origin: str  # "path:line" or a URL, for error messages
    payload: bytes


def content_id(text: str) -> str:
    return "sha-" + sha_hex(text, 20)


def text_article(path: Path) -> dict:
    body = path.read_text(encoding="utf-8", errors="replace")
    first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    return {
        "id": content_id(body),
        "title": first[:300],
        "body": body,
        "source": path.name,
        "url": path.resolve().as_uri(),
        "published_at": datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(),
        "language": "en",
    }


def feed_articles(location: str) -> Iterator[dict]:
    import feedparser

    feed = feedparser.parse(location)
    for entry in feed.entries:
        body = entry.get("summary") or ""
        if entry.get("content"):
            body = " ".join(c.get("value", "") for c in entry["content"]) or body
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*stamp[:6], tzinfo=timezone.utc) if stamp else datetime.now(timezone.utc)
        link = entry.get("link") or ""
        yield {
            "id": entry.get("id") or link or content_id(body),
            "url": link or None,
            "source": feed.feed.get("title") or location,
            "title": entry.get("title", ""),
            "body": _strip_html(body),
            "published_at": published.isoformat(),
            "language": (feed.feed.get("language") or "en").split("-")[0],
        }


def _strip_html(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


def iter_items(location: str) -> Iterator[RawItem]:
    """Every article-like item at a path or URL, as the raw bytes a producer would send."""
    if location.startswith(("http://", "https://")):
        for art in feed_articles(location):
            yield RawItem(location, orjson.dumps(art))
        return
    path = Path(location)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield RawItem(f"{path}:{n}", line.rstrip(b"\r\n"))
    elif suffix == ".json":
        data = orjson.loads(path.read_bytes())
        items = data if isinstance(data, list) else [data]
        for n, obj in enumerate(items):
            yield RawItem(f"{path}[{n}]", orjson.dumps(obj))
    elif suffix in FEED_SUFFIXES:
        for art in feed_articles(str(path)):
            yield RawItem(str(path), orjson.dumps(art))
    else:
        yield RawItem(str(path), orjson.dumps(text_article(path)))
