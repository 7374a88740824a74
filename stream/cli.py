"""The ``stance`` command: Faust's own CLI (``stance worker``, ``stance agents`` ...)
plus the project's commands, as ``@app.command()`` extensions."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from faust.cli import argument, option

from stream import agents, web  # noqa: F401  (register agents, tables and views)
from stream.app import app
from stream.settings import get_settings


@app.command()
async def settings(self) -> None:
    """Print the effective settings (secrets masked)."""
    for key, value in get_settings().model_dump(mode="json").items():
        if "password" in key and value:
            value = "********"
        self.say(f"{key}={value}")


@app.command(argument("action", type=str), argument("extra", nargs=-1, type=str))
async def kafka(self, action: str, extra: tuple[str, ...]) -> None:
    """Run a local Apache Kafka broker without Docker: up | down | status | logs."""
    from stream import kafka_local

    code = await asyncio.get_running_loop().run_in_executor(None, kafka_local.main, [action, *extra])
    if code:
        raise SystemExit(code)


@app.command()
async def topics(self) -> None:
    """Create every topic with the configured partitions (idempotent)."""
    from stream.admin import ensure_topics, topic_names

    created = await ensure_topics(get_settings())
    for name in topic_names(get_settings()):
        self.say(f"{name}: {'created' if name in created else 'exists'}")


@app.command(
    argument("inputs", nargs=-1, required=True, type=str),
    option("--out", "out", type=str, required=True, help="Output directory"),
    option("--workers", "workers", type=int, default=0, help="Pool processes (0 = one per core)"),
)
async def process(self, inputs: tuple[str, ...], out: str, workers: int) -> None:
    """Enrich and track positions offline: INPUT... -> DIR/{enriched,stances,alerts,dlq}.jsonl."""
    from stream.offline import process as run

    summary = await run(list(inputs), Path(out), get_settings(), workers=workers)
    print(summary.line(), file=sys.stderr)


@app.command(
    argument("paths", nargs=-1, required=True, type=str),
    option("--no-validate", "no_validate", is_flag=True, default=False, help="Send even what fails validation"),
)
async def publish(self, paths: tuple[str, ...], no_validate: bool) -> None:
    """Send articles (JSONL, JSON array, text files, RSS/Atom file or URL) to the input topic."""
    from stream.publish import publish as run

    summary = await run(list(paths), get_settings(), validate=not no_validate)
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    self.say(summary.line())


@app.command(
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
async def tail(self, kind: str, actor: str | None, topic: str | None, polarity: str | None, since: str | None,
               from_beginning: bool, follow: bool, fmt: str, group: str | None) -> None:
    """Print records from enriched | stances | alerts | dlq | articles, filtered."""
    from datetime import datetime

    from stream import client
    from stream.pretty import render

    if kind not in client.KINDS:
        raise SystemExit(f"tail: KIND must be one of {', '.join(client.KINDS)}")
    when = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
    where = client.Filter(actor=actor, topic=topic, polarity=polarity)
    async for item in client.read(kind, settings=get_settings(), since=when, from_beginning=from_beginning,
                                  follow=follow, group=group, where=where):
        print(render(item) if fmt == "pretty" else item.model_dump_json(), flush=True)


@app.command(
    option("--webhook", "webhook", type=str, required=True, help="URL to POST each alert to"),
    option("--group", "group", type=str, default="stance-alerts-webhook"),
)
async def alerts(self, webhook: str, group: str) -> None:
    """Deliver every position-change alert to a webhook, committing only after delivery."""
    from stream.sink import run_webhook

    await run_webhook(webhook, get_settings(), group=group)


@app.command(
    option("--since", "since", type=str, default=None, help="ISO time: first published_at to include"),
    option("--until", "until", type=str, default=None, help="ISO time: first published_at to leave out"),
    option("--name", "name", type=str, default=None, help="Replay name (topic prefix replay.NAME.)"),
    option("--rebuild", "rebuild", is_flag=True, default=False, help="Reset live state to be rebuilt from the start"),
)
async def replay(self, since: str | None, until: str | None, name: str | None, rebuild: bool) -> None:
    """Reprocess a time range into an isolated namespace, or --rebuild the live state."""
    from datetime import datetime

    from stream import replay as rp

    settings = get_settings()
    if rebuild:
        for note in await rp.rebuild(settings, tabledir=Path(self.app.conf.tabledir)):
            self.say(note)
        self.say("live state reset: start the workers again to rebuild it from the input topic")
        return
    parse = (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")) if v else None)
    summary = await rp.replay(settings, since=parse(since), until=parse(until), name=name)
    self.say(summary.line())


@app.command(
    option("--input", "input_path", type=str, default=None, help="Article JSONL (default: the shipped samples)"),
    option("--limit", "limit", type=int, default=None, help="Use at most this many articles"),
    option("--json", "json_out", type=str, default="var/bench.json", help="Where to write the figures"),
    option("--bootstrap", "bootstrap", type=str, default=None, help="Use this broker instead of starting one"),
    option("--two-workers", "two_workers", is_flag=True, default=False, help="Also measure scale-out with two workers"),
)
async def bench(self, input_path: str | None, limit: int | None, json_out: str, bootstrap: str | None,
                two_workers: bool) -> None:
    """Measure every stage against its limit (see stream/bench.py); prints a table, writes JSON."""
    from stream import bench as b

    await asyncio.get_running_loop().run_in_executor(
        None, lambda: b.run(input_path or str(b.DEFAULT_INPUT), limit=limit, out_json=Path(json_out),
                            bootstrap=bootstrap, workers2=two_workers))


def main() -> None:
    app.main()


if __name__ == "__main__":
    main()
