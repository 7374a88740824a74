"""One user command per module: ``stance NAME`` is ``stream.commands.NAME``.

Each command module holds its logic and, at the end, its command line: ``OPTIONS``
(click arguments and options) and ``async def command(self, ...)``. :mod:`stream.cli`
registers them as Faust app commands (``self`` is Faust's command object) and runs
``process`` on its own, without importing Faust. The input sources
(:mod:`.sources`) and the pretty printer (:mod:`.pretty`) live here too.
"""
from __future__ import annotations

import functools

import click

#: The command modules, in the order ``stance --help`` lists them.
NAMES = ("settings", "kafka", "topics", "process", "train", "publish", "tail", "alerts", "replay", "bench")

argument = click.argument
#: Like Faust's own ``faust.cli.option``: defaults are shown in ``--help``.
option = functools.partial(click.option, show_default=True)


def say(cmd, text: str) -> None:
    """``self.say`` of a Faust command; plain print when run without Faust (``cmd`` is None)."""
    if cmd is None:
        print(text)
    else:
        cmd.say(text)


def parse_time(value: str | None):
    """An ISO time from the command line (``Z`` accepted), or None."""
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
