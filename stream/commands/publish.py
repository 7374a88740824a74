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

from stream.commands import argument, option, say
from stream.commands.sources import RawItem, iter_items
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

    def line(self) -> str:
        return f"sent {self.sent}, rejected {self.rejected}, duplicates {self.duplicates}"


async def publish(locations: Iterable[str], settings: Settings, *, validate: bool = True,
                  progress: bool | None = None) -> PublishSummary:
    summary = PublishSummary()
    items: list[RawItem] = [item for loc in locations for item in iter_items(loc)]
    bar = None
    if progress if progress is not None else sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="article", file=sys.stderr)
    producer = producer_for(settings)
    await producer.start()
    topic = ARTICLES.name(settings)
    seen: set[str] = set()
    try:
        for item in items:
            parsed = parse_article(item.payload, settings)
            if isinstance(parsed, Rejection):
                if validate:
                    summary.rejected += 1
                    summary.problems.append(f"{item.origin}: {parsed.reason}: {parsed.detail}")
                    if bar:
                        bar.update()
                    continue
                key = None
            else:
                if parsed.id in seen:
                    summary.duplicates += 1
                    summary.problems.append(f"{item.origin}: duplicate id {parsed.id!r} in this run, not sent")
                    if bar:
                        bar.update()
                    continue
                seen.add(parsed.id)
                key = parsed.id.encode()
            await producer.send(topic, value=item.payload, key=key)
            summary.sent += 1
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
)


async def command(self, paths: tuple[str, ...], no_validate: bool) -> None:
    """Send articles (JSONL, JSON array, text files, RSS/Atom file or URL) to the input topic."""
    summary = await publish(list(paths), get_settings(), validate=not no_validate)
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    say(self, summary.line())
