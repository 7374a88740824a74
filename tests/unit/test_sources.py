"""Plain text files as articles: what `stance publish` and `stance process` make of them."""
from __future__ import annotations

import os

import orjson

from stream.commands.sources import TextOptions, iter_items, split_headline, text_article
from stream.ingest import Rejection, parse_article
from stream.settings import Settings


def test_a_headline_is_kept_out_of_the_body(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Mayor rejects toll plan\n\nThe mayor said on Monday the city would not accept the toll plan.\n")
    art = text_article(path)
    assert art["title"] == "Mayor rejects toll plan"
    assert art["body"].startswith("The mayor said") and "Mayor rejects" not in art["body"]
    # a first line that runs on into the paragraph is no headline: the text stays whole
    assert split_headline("The mayor said no.\nShe repeated it.") == ("The mayor said no.",
                                                                       "The mayor said no.\nShe repeated it.")


def test_defaults_and_the_options_that_override_them(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Headline\n\nThe council said it supports the levy.\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    plain = text_article(path)
    assert plain["id"].startswith("sha-") and plain["source"] == "story.txt"
    assert plain["published_at"].startswith("2023-11-14T22:13:20")
    given = text_article(path, TextOptions(id="levy-1", title="T", source="Wire", published_at="2026-11-30T08:00:00+00:00"))
    assert (given["id"], given["title"], given["source"], given["published_at"]) == (
        "levy-1", "T", "Wire", "2026-11-30T08:00:00+00:00")
    parsed = parse_article(orjson.dumps(given), Settings())
    assert not isinstance(parsed, Rejection) and parsed.id == "levy-1"


def test_bytes_that_are_not_text_are_not_utf8(tmp_path):
    for name, raw in (("junk.txt", b"\xff\xfe\x00binary\x00junk"), ("nul.txt", b"valid ascii\x00with a NUL")):
        path = tmp_path / name
        path.write_bytes(raw)
        (item,) = list(iter_items(str(path)))
        result = parse_article(item.payload, Settings())
        assert isinstance(result, Rejection) and result.reason == "not_utf8", (name, result)
