"""The ``stance`` command (also ``python -m stream``).

``stance process`` runs on its own, without importing Faust: it needs only the
pure core and the NLP. Every other command is Faust's own CLI (``stance worker``,
``stance agents`` ...) with the project's commands added as ``@app.command()``
extensions, one module each in :mod:`stream.commands`.
"""
from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Sequence

import click

from stream.commands import NAMES

#: Commands that run without the Faust app.
STANDALONE = ("process", "train")


def _module(name: str):
    return importlib.import_module(f"stream.commands.{name}")


def _standalone(name: str, args: Sequence[str]) -> None:
    mod = _module(name)

    def run(**kwargs) -> None:
        asyncio.run(mod.command(None, **kwargs))

    run.__doc__ = mod.command.__doc__
    cmd = click.command(name=name, help=mod.command.__doc__)(run)
    for opt in mod.OPTIONS:
        cmd = opt(cmd)
    cmd.main(args=list(args), prog_name=f"stance {name}")


def register(app) -> None:
    """Add every command module to the Faust app's CLI (Faust names a command after its function)."""
    for name in NAMES:
        mod = _module(name)

        async def handler(self, *args, _run=mod.command, **kwargs):
            return await _run(self, *args, **kwargs)

        handler.__name__ = handler.__qualname__ = name
        handler.__doc__ = mod.command.__doc__
        handler.__module__ = mod.__name__
        app.command(*mod.OPTIONS)(handler)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in STANDALONE:
        _standalone(args[0], args[1:])
        return
    from stream.worker import agents, web  # noqa: F401  (register agents, tables and views)
    from stream.worker.app import app

    register(app)
    app.main()


if __name__ == "__main__":
    main()
