"""Input validation: every way an input message can be bad has a reason."""
from __future__ import annotations

import orjson
import pytest

from stream import ingest
from stream.ingest import Rejection, parse_article
from stream.settings import Settings

S = Settings(max_message_bytes=1_000_000, max_body_chars=50_000)
GOOD = {"id": "a1", "published_at": "2026-09-02T09:30:00Z", "title": "T",
        "body": "The minister said the government would not accept the plan, officials in the capital added."}


def reason(raw) -> str:
    res = parse_article(raw, S)
    assert isinstance(res, Rejection), res
    assert res.detail
    return res.reason


def test_good_article_parses():
    art = parse_article(orjson.dumps(GOOD), S)
    assert not isinstance(art, Rejection)
    assert art.id == "a1"


@pytest.mark.parametrize("raw,expected", [
    (b"not json at all", ingest.NOT_JSON),
    (b"\xff\xfe\x00garbage", ingest.NOT_UTF8),
    (b"[1, 2, 3]", ingest.NOT_OBJECT),
    (orjson.dumps({"id": "a"}), ingest.INVALID_SCHEMA),
    (orjson.dumps({**GOOD, "id": None}), ingest.INVALID_SCHEMA),
    (orjson.dumps({**GOOD, "body": 42}), ingest.INVALID_SCHEMA),
    (orjson.dumps({**GOOD, "id": "bad\x00id"}), ingest.INVALID_SCHEMA),
    (orjson.dumps({**GOOD, "body": "   "}), ingest.EMPTY_BODY),
    (orjson.dumps({**GOOD, "body": "x " * 30_000}), ingest.BODY_TOO_LONG),
    (orjson.dumps({**GOOD, "body": "x" * 1_100_000}), ingest.TOO_LARGE),
    (orjson.dumps({**GOOD, "language": "de"}), ingest.UNSUPPORTED_LANGUAGE),
    (None, ingest.NOT_JSON),
])
def test_bad_input_has_a_reason(raw, expected):
    assert reason(raw) == expected


def test_claimed_english_that_is_not():
    body = ("Der Minister sagte am Mittwoch, die Regierung werde den Plan nicht akzeptieren, "
            "und verwies auf die Gespräche mit den Partnern in Brüssel über die Zukunft. ") * 5
    assert reason(orjson.dumps({**GOOD, "body": body})) == ingest.UNSUPPORTED_LANGUAGE


def test_deeply_nested_json_is_rejected_not_crashing():
    raw = b'{"id": "x", "body": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert reason(raw) in {ingest.NOT_JSON, ingest.INVALID_SCHEMA}


def test_dead_letter_keeps_truncated_payload():
    letter = ingest.dead_letter(raw=b"\xff" + b"a" * 100_000, reason="not_utf8", detail="d",
                                source_topic="articles", settings=S, partition=1, offset=7, key=b"k")
    assert letter.payload_size == 100_001
    assert len(letter.raw_payload) == S.dlq_payload_chars
    assert (letter.partition, letter.offset, letter.key) == (1, 7, "k")
