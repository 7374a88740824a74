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
NAMES = ("settings", "kafka", "topics", "process", "train", "publish", "tail", "positions", "alerts", "replay", "bench")

argument = click.argument
#: Like Faust's own ``faust.cli.option``: defaults are shown in ``--help``.
option = functools.partial(click.option, show_default=True)


def say(cmd, text: str) -> None:
    """``self.say`` of a Faust command; plain print when run without Faust (``cmd`` is None)."""
    if cmd is None:
        print(text)
    else:
        cmd.say(text)


class UserError(Exception):
    """A mistake the user can fix: :mod:`stream.cli` prints it as one line and exits non-zero."""


_DURATION = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_time(value: str | None, flag: str = "--since"):
    """A time from the command line: ISO (``Z`` accepted; a date alone is midnight UTC),
    ``now``, ``today``, ``yesterday``, or a duration ago such as ``30m``, ``6h``, ``2d``.

    Raises :class:`UserError` with the accepted forms, instead of Python's own message.
    """
    import re
    from datetime import datetime, timedelta, timezone

    if not value:
        return None
    text = value.strip().lower()
    now = datetime.now(timezone.utc)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text == "now":
        return now
    if text == "today":
        return midnight
    if text == "yesterday":
        return midnight - timedelta(days=1)
    m = re.fullmatch(r"(\d+)\s*([smhdw])(?:\s*ago)?", text)
    if m:
        return now - timedelta(seconds=int(m.group(1)) * _DURATION[m.group(2)])
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{flag}: {value!r} is not a time; use an ISO time (2026-11-30 or "
                        "2026-11-30T08:00:00Z), now, today, yesterday, or a duration ago (30m, 6h, 2d)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
