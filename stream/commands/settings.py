"""``stance settings``: print the effective settings (secrets masked)."""
from __future__ import annotations

from stream.commands import say
from stream.settings import env_file, get_settings

OPTIONS = ()


async def command(self) -> None:
    """Print the effective settings (secrets masked)."""
    settings = get_settings()
    path = env_file()
    say(self, f"# from the environment{f' and {path}' if path else ''}")
    for key, value in settings.model_dump(mode="json").items():
        if "password" in key and value:
            value = "********"
        line = f"{key}={value}"
        if key.startswith("topic_") and key != "topic_prefix" and settings.topic_prefix:
            line += f"  # topic {settings.topic(value)}"  # the name on the broker
        say(self, line)
