"""``stance settings``: print the effective settings (secrets masked)."""
from __future__ import annotations

from stream.commands import say
from stream.settings import get_settings

OPTIONS = ()


async def command(self) -> None:
    """Print the effective settings (secrets masked)."""
    for key, value in get_settings().model_dump(mode="json").items():
        if "password" in key and value:
            value = "********"
        say(self, f"{key}={value}")
