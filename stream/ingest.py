"""Raw input payload -> Article, or a reason to dead-letter it.

Pure and framework-free: the enrich agent, ``stance publish`` (which rejects
before sending) and the offline command all call :func:`parse_article`, so a
message is judged the same way wherever it is first seen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
from pydantic import ValidationError

from schemas import Article, DeadLetter
from stream.settings import Settings

# Reasons are stable, machine-readable strings: dashboards and the metrics count them.
NOT_UTF8 = "not_utf8"
NOT_JSON = "not_json"
NOT_OBJECT = "not_object"
TOO_LARGE = "too_large"
INVALID_SCHEMA = "invalid_schema"
EMPTY_BODY = "empty_body"
BODY_TOO_LONG = "body_too_long"
UNSUPPORTED_LANGUAGE = "unsupported_language"
DUPLICATE_ID = "duplicate_id"
ENRICHMENT_FAILED = "enrichment_failed"
INVALID_STANCE = "invalid_stance"
PUBLISH_FAILED = "publish_failed"
TRACKING_FAILED = "tracking_failed"
INVALID_ALERT = "invalid_alert"
WEBHOOK_REFUSED = "webhook_refused"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Function words that make up a large share of any English prose; a long body in which
# almost none appear is not English, whatever its language field says.
_EN_FUNCTION_WORDS = frozenset(
    "the of and to a in that is was for on with as by at from it he she they said has have be "
    "are were not this an or but his her their its will would which who".split()
)


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    detail: str


def looks_english(text: str, *, min_words: int = 40, min_share: float = 0.08) -> bool:
    """Cheap check for bodies that claim ``en`` but are not; short texts get the benefit of the doubt."""
    words = _WORD.findall(text[:20_000])
    if len(words) < min_words:
        return True
    hits = sum(1 for w in words if w.lower() in _EN_FUNCTION_WORDS)
    return hits / len(words) >= min_share


def parse_article(raw: bytes | str | None, settings: Settings) -> Article | Rejection:
    if raw is None:
        return Rejection(NOT_JSON, "message has no value")
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > settings.max_message_bytes:
        return Rejection(TOO_LARGE, f"payload is {size} bytes; the limit is {settings.max_message_bytes}")
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Rejection(NOT_UTF8, f"payload is not valid UTF-8: {exc}")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Rejection(NOT_JSON, f"payload is not JSON: {exc}")
    if not isinstance(obj, dict):
        return Rejection(NOT_OBJECT, f"payload is JSON {type(obj).__name__}, not an object")
    try:
        article = Article.model_validate(obj)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
        )
        return Rejection(INVALID_SCHEMA, problems)
    if not article.id.strip() or _CONTROL.search(article.id):
        return Rejection(INVALID_SCHEMA, "id: must be printable and not blank")
    body_chars = len(article.body.strip())
    if body_chars < max(settings.min_body_chars, 1):
        return Rejection(EMPTY_BODY, "body is empty")
    if len(article.body) > settings.max_body_chars:
        return Rejection(BODY_TOO_LONG, f"body is {len(article.body)} characters; the limit is {settings.max_body_chars}")
    language = (article.language or "").strip().lower().split("-")[0]
    if language not in settings.accepted_languages:
        return Rejection(UNSUPPORTED_LANGUAGE, f"language {article.language!r} is not one of {sorted(settings.accepted_languages)}")
    if language == "en" and not looks_english(article.body):
        return Rejection(UNSUPPORTED_LANGUAGE, "language says 'en' but the body does not read as English")
    return article


def dead_letter(
    *,
    raw: bytes | str | None,
    reason: str,
    detail: str,
    source_topic: str,
    settings: Settings,
    partition: int | None = None,
    offset: int | None = None,
    key: bytes | str | None = None,
) -> DeadLetter:
    """Build the dead letter; the payload is kept (truncated) so an operator can replay it by hand."""
    if isinstance(raw, (bytes, bytearray)):
        text = bytes(raw).decode("utf-8", "replace")
        size = len(raw)
    else:
        text = raw or ""
        size = len(text.encode("utf-8", "replace"))
    if isinstance(key, (bytes, bytearray)):
        key = bytes(key).decode("utf-8", "replace")
    return DeadLetter(
        source_topic=source_topic,
        partition=partition,
        offset=offset,
        key=key,
        raw_payload=text[: settings.dlq_payload_chars],
        payload_size=size,
        reason=reason,
        error_detail=detail[:2000],
        time=datetime.now(timezone.utc),
    )
