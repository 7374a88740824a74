"""``stance publish``: validate articles and send them to the input topic, keyed by id.

Validation is the same :func:`~stream.ingest.parse_article` the worker applies,
so what we refuse to send is exactly what the worker would dead-letter; the
reason is printed instead. The producer is idempotent with ``acks=all`` so a
retried send does not duplicate a message.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from stream.commands import UserError, argument, option, parse_time
from stream.commands.sources import RawItem, TextOptions, iter_items, kind_of
from stream.ingest import Rejection, parse_article
from stream.kafka.producer import producer_for
from stream.kafka.topics import ARTICLES
from stream.settings import Settings, get_settings


@dataclass
class PublishSummary:
    sent: int = 0
    rejected: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    sent_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"sent {self.sent}, rejected {self.rejected}, duplicates {self.duplicates}"


async def publish(locations: Iterable[str], settings: Settings, *, validate: bool = True,
                  progress: bool | None = None, text_options: TextOptions | None = None) -> PublishSummary:
    summary = PublishSummary()
    items: list[RawItem] = [item for loc in locations for item in iter_items(loc, text_options)]
    bar = None
    if progress if progress is not None else sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="article", file=sys.stderr)
    topic = ARTICLES.name(settings)
    seen: set[str] = set()
    to_send: list[tuple[bytes | None, bytes, str | None]] = []  # validated first: a file of rejects needs no broker
    for item in items:
        parsed = parse_article(item.payload, settings)
        if isinstance(parsed, Rejection):
            if validate:
                summary.rejected += 1
                summary.problems.append(f"{item.origin}: {parsed.reason}: {parsed.detail}")
                if bar:
                    bar.update()
                continue
            to_send.append((None, item.payload, None))
        elif parsed.id in seen:
            summary.duplicates += 1
            summary.problems.append(f"{item.origin}: duplicate id {parsed.id!r} in this run, not sent")
            if bar:
                bar.update()
        else:
            seen.add(parsed.id)
            to_send.append((parsed.id.encode(), item.payload, parsed.id))
    if not to_send:
        if bar:
            bar.close()
        return summary
    producer = producer_for(settings)
    try:
        await producer.start()
        for key, payload, article_id in to_send:
            await producer.send(topic, value=payload, key=key)
            summary.sent += 1
            if article_id is not None:
                summary.sent_ids.append(article_id)
            if bar:
                bar.update()
        await producer.flush()
    finally:
        await producer.stop()
        if bar:
            bar.close()
    return summary


# --------------------------------------------------------------------------- command line

OPTIONS = (
    argument("paths", nargs=-1, required=True, type=str),
    option("--no-validate", "no_validate", is_flag=True, default=False, help="Send even what fails validation"),
    option("--id", "article_id", type=str, default=None,
           help="Article id for ONE text file (default: a hash of its body, so an edit makes a new article)"),
    option("--title", "title", type=str, default=None,
           help="Title for text files (default: a short first line followed by a blank line)"),
    option("--source", "source", type=str, default=None, help="Source for text files (default: the file name)"),
    option("--published-at", "published_at", type=str, default=None,
           help="Publication time for text files (default: the file's modification time); ISO, today, 2h ...")
)


async def command(self, paths: tuple[str, ...], no_validate: bool, article_id: str | None, title: str | None,
                  source: str | None, published_at: str | None) -> None:
    """Send articles (JSONL, JSON array, text files, RSS/Atom file or URL) to the input topic.

    Prints each sent id on stdout and the summary on stderr; exits 1 when nothing could be sent.
    """
    texts = [p for p in paths if kind_of(p) == "text"]
    if article_id is not None and len(texts) != 1:
        raise UserError(f"--id names one article: give exactly one text file (got {len(texts)})")
    when = parse_time(published_at, "--published-at")
    options = TextOptions(id=article_id, title=title, source=source,
                          published_at=when.isoformat() if when else None)
    summary = await publish(list(paths), get_settings(), validate=not no_validate, text_options=options)
    if not (summary.sent or summary.rejected or summary.duplicates):
        raise UserError(f"no articles found in {', '.join(paths)}")
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    for sent in summary.sent_ids:
        print(sent)
    print(summary.line(), file=sys.stderr)
    if summary.sent == 0:
        raise UserError("nothing sent: every article was rejected (reasons above)")
