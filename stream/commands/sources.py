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


@dataclass(frozen=True, slots=True)
class TextOptions:
    """What a plain text file cannot say about itself (``stance publish --id/--title/...``)."""

    id: str | None = None
    title: str | None = None
    source: str | None = None
    published_at: str | None = None


#: A first line longer than this is a paragraph, not a headline.
HEADLINE_MAX_CHARS = 200


def content_id(text: str) -> str:
    return "sha-" + sha_hex(text, 20)


def split_headline(text: str) -> tuple[str, str]:
    """(headline, body): a short first line followed by a blank line is the headline.

    Kept out of the body so that evidence spans do not run from the headline into
    the lead. Any other text keeps its first line as the title and stays whole.
    """
    stripped = text.lstrip("\ufeff").strip("\n")
    head, sep, rest = stripped.partition("\n")
    if sep and rest.startswith(("\n", "\r\n")) and 0 < len(head.strip()) <= HEADLINE_MAX_CHARS and rest.strip():
        return head.strip(), rest.strip("\r\n")
    first = next((ln.strip() for ln in stripped.splitlines() if ln.strip()), "")
    return first[:300], stripped


def text_article(path: Path, options: TextOptions | None = None) -> dict | bytes:
    """An article from a plain text file, or the file's bytes when they are not UTF-8 text.

    Bytes go on as they are, so validation rejects them exactly as the worker would
    (``not_utf8``); a NUL byte makes a file binary even when it decodes.
    """
    options = options or TextOptions()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw
    if "\x00" in text:
        return raw.replace(b"\x00", b"\xff")  # binary: make it fail UTF-8 the way the worker reports it
    title, body = split_headline(text)
    published = options.published_at or datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat()
    return {
        "id": options.id or content_id(body),
        "title": options.title or title,
        "body": body,
        "source": options.source or path.name,
        "url": path.resolve().as_uri(),
        "published_at": published,
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


def kind_of(location: str) -> str:
    """``url``, ``jsonl``, ``json``, ``feed`` or ``text``: how :func:`iter_items` reads a location."""
    if location.startswith(("http://", "https://")):
        return "url"
    suffix = Path(location).suffix.lower()
    if suffix in (".jsonl", ".json"):
        return suffix[1:]
    return "feed" if suffix in FEED_SUFFIXES else "text"


def iter_items(location: str, text_options: TextOptions | None = None) -> Iterator[RawItem]:
    """Every article-like item at a path or URL, as the raw bytes a producer would send."""
    kind = kind_of(location)
    if kind == "url":
        for art in feed_articles(location):
            yield RawItem(location, orjson.dumps(art))
        return
    path = Path(location)
    if kind == "jsonl":
        with path.open("rb") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield RawItem(f"{path}:{n}", line.rstrip(b"\r\n"))
    elif kind == "json":
        data = orjson.loads(path.read_bytes())
        items = data if isinstance(data, list) else [data]
        for n, obj in enumerate(items):
            yield RawItem(f"{path}[{n}]", orjson.dumps(obj))
    elif kind == "feed":
        for art in feed_articles(str(path)):
            yield RawItem(str(path), orjson.dumps(art))
    else:
        art = text_article(path, text_options)
        yield RawItem(str(path), art if isinstance(art, bytes) else orjson.dumps(art))
