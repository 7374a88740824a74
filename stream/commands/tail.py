"""``stance tail KIND``: print records from one of the registry's topics, filtered."""
from __future__ import annotations

from stream.commands import argument, option, parse_time
from stream.settings import get_settings

OPTIONS = (
    argument("kind", type=str),
    option("--actor", "actor", type=str, default=None, help="Actor id or name (substring)"),
    option("--topic", "topic", type=str, default=None, help="Topic id or label (substring)"),
    option("--polarity", "polarity", type=str, default=None, help="support | oppose | neutral"),
    option("--since", "since", type=str, default=None, help="ISO time: start from the first record at or after it"),
    option("--from-beginning", "from_beginning", is_flag=True, default=False),
    option("--follow", "follow", is_flag=True, default=False, help="Keep waiting for new records"),
    option("--format", "fmt", type=str, default="json", help="json | pretty"),
    option("--group", "group", type=str, default=None, help="Consumer group (commits offsets); none by default"),
)


async def command(self, kind: str, actor: str | None, topic: str | None, polarity: str | None, since: str | None,
                  from_beginning: bool, follow: bool, fmt: str, group: str | None) -> None:
    """Print records from enriched | stances | alerts | dlq | articles, filtered."""
    from stream.commands.pretty import render
    from stream.kafka import client

    if kind not in client.KINDS:
        raise SystemExit(f"tail: KIND must be one of {', '.join(client.KINDS)}")
    where = client.Filter(actor=actor, topic=topic, polarity=polarity)
    async for item in client.read(kind, settings=get_settings(), since=parse_time(since),
                                  from_beginning=from_beginning, follow=follow, group=group, where=where):
        print(render(item) if fmt == "pretty" else item.model_dump_json(), flush=True)
