"""``stance tail KIND``: print records from one of the registry's topics, filtered.

Delivery is at least once, so after a worker restart a topic can hold a record
twice; ``tail`` prints each record once (by its id, as the README tells every
consumer to dedupe) unless ``--repeats`` asks for the raw stream.
"""
from __future__ import annotations

import sys

import click

from stream.commands import UserError, argument, option, parse_time
from stream.settings import get_settings

KINDS = ("enriched", "stances", "alerts", "dlq", "articles")

OPTIONS = (
    argument("kind", type=click.Choice(KINDS)),
    option("--actor", "actor", type=str, default=None,
           help="Actor id, name or any alias the knowledge base knows ('Kremlin' finds Russia); substring of names"),
    option("--topic", "topic", type=str, default=None, help="Topic id or label (substring)"),
    option("--polarity", "polarity", type=click.Choice(("support", "oppose", "neutral")), default=None),
    option("--since", "since", type=str, default=None,
           help="Start time: ISO, today, yesterday or a duration ago (6h, 2d)"),
    option("--time", "time_axis", type=click.Choice(("arrival", "event")), default="arrival",
           help="What --since compares: when a record reached Kafka, or when its article was published"),
    option("--from-beginning", "from_beginning", is_flag=True, default=False),
    option("--follow", "follow", is_flag=True, default=False,
           help="Keep waiting for new records (and for the topic, if it does not exist yet)"),
    option("--format", "fmt", type=click.Choice(("json", "pretty")), default="json"),
    option("--group", "group", type=str, default=None, help="Consumer group (commits offsets); none by default"),
    option("--repeats", "repeats", is_flag=True, default=False,
           help="Print repeated deliveries of the same record too"),
)


def actor_ids(text: str | None) -> frozenset[str]:
    """The knowledge-base actors that ``text`` names, by id, name or alias (every one, when several do).

    The same lookup as the web views and ``stance positions`` (:mod:`stream.worker.pages.lookup`).
    """
    if not text:
        return frozenset()
    from stream.nlp.kb import KB
    from stream.worker.pages.lookup import NameIndex

    res = NameIndex.build(KB()).resolve(text)
    return frozenset({res.actor_id} if res.actor_id else {m.actor_id for m in res.matches})


async def command(self, kind: str, actor: str | None, topic: str | None, polarity: str | None, since: str | None,
                  time_axis: str, from_beginning: bool, follow: bool, fmt: str, group: str | None,
                  repeats: bool) -> None:
    """Print records from enriched | stances | alerts | dlq | articles, filtered."""
    from stream.commands.alerts import Delivered
    from stream.commands.pretty import render
    from stream.kafka import client

    start = parse_time(since)
    if time_axis == "event" and start is None:
        raise UserError("--time event needs --since")
    where = client.Filter(actor=actor, topic=topic, polarity=polarity, actor_ids=actor_ids(actor))
    arrival_since = start if time_axis == "arrival" else None
    if time_axis == "event":
        where.extra.append(lambda item: (client.event_time(item) or start) >= start)
        from_beginning = True  # an article published after `since` may have arrived before it

    def waiting(topic_name: str) -> None:
        print(f"stance tail: waiting for topic {topic_name} (it is created with its first record)",
              file=sys.stderr, flush=True)

    seen = Delivered(100_000)
    async for item in client.read(kind, settings=get_settings(), since=arrival_since,
                                  from_beginning=from_beginning, follow=follow, group=group, where=where,
                                  on_wait=waiting):
        if not repeats:
            ident = client.identity(item)
            if ident in seen:
                continue
            seen.add(ident)
        print(render(item) if fmt == "pretty" else item.model_dump_json(), flush=True)
