"""The ``stance`` command (also ``python -m stream``).

``stance process`` runs on its own, without importing Faust: it needs only the
pure core and the NLP. Every other command is Faust's own CLI (``stance worker``,
``stance agents`` ...) with the project's commands added as ``@app.command()``
extensions, one module each in :mod:`stream.commands`.
"""
from __future__ import annotations

import asyncio
import importlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import click

from stream.commands import NAMES, UserError

#: Commands that run without the Faust app.
STANDALONE = ("process", "train")


def _module(name: str):
    return importlib.import_module(f"stream.commands.{name}")


def explain(exc: BaseException) -> str | None:
    """One line for a mistake a user can fix (None: a bug, keep the traceback).

    The mistakes are the ones people make in their first hour: a wrong path, a time
    Python cannot parse, no broker running, a setting of the wrong type.
    """
    from pydantic import ValidationError

    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        what = {FileNotFoundError: "no such file", IsADirectoryError: "is a directory",
                NotADirectoryError: "not a directory", PermissionError: "permission denied"}[type(exc)]
        return f"{what}: {exc.filename}" if exc.filename else str(exc)
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        problems = "; ".join(f"STANCE_{'_'.join(str(p) for p in e['loc']).upper()}={e.get('input')!r}: {e['msg']}"
                             for e in exc.errors())
        return f"invalid setting: {problems}"
    try:
        from aiokafka.errors import KafkaConnectionError
    except ImportError:  # pragma: no cover
        return None
    from stream.kafka.admin import REFUSED

    if isinstance(exc, KafkaConnectionError) and REFUSED.search(str(exc)):
        return f"the Kafka broker refused the connection: {str(exc).split(': ', 1)[-1]}"
    if isinstance(exc, KafkaConnectionError) or (isinstance(exc, OSError) and "bootstrap" in str(exc)):
        from stream.settings import get_settings

        try:
            where = get_settings().broker
        except Exception:
            where = "the configured broker"
        return (f"cannot reach the Kafka broker at {where} (STANCE_BROKER); start a local one with "
                "`stance kafka up`, or point STANCE_BROKER at yours")
    return None


def fail(command: str, message: str, code: int = 2) -> None:
    """Print ``stance COMMAND: error: MESSAGE`` on stderr and exit without a traceback."""
    sys.stderr.write(f"stance {command}: error: {message}\n")
    sys.stderr.flush()
    os._exit(code)  # nothing half-started (consumers, pools) may print more on the way out


async def guarded(command: str, run: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> Any:
    """Run a command; a user's mistake becomes one line (:func:`explain`), a bug keeps its traceback."""
    try:
        return await run(*args, **kwargs)
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        fail(command, message)


def prepare_worker() -> None:
    """Create (or verify) every topic the worker reads or writes, before Faust starts.

    Faust creates only the topics it consumes; the first send to a missing output
    topic (the dead-letter topic, say) then crashed the agent. Waits up to a minute
    for the broker, then fails with one line.
    """
    import logging

    from stream.kafka.admin import ensure_topics, verify_topics
    from stream.settings import get_settings

    settings = get_settings()
    log = logging.getLogger("stream.cli")
    loop = asyncio.new_event_loop()  # not asyncio.run: Faust's worker wants the default loop left alone
    try:
        created = loop.run_until_complete(ensure_topics(settings))
        problems = loop.run_until_complete(verify_topics(settings))
    finally:
        loop.close()
    if created:
        sys.stderr.write(f"stance worker: created topics {', '.join(created)}\n")
    for problem in problems:
        log.warning(problem)
        sys.stderr.write(f"stance worker: warning: {problem}\n")


def _quiet_client_logs() -> None:
    """Commands report a broker they cannot reach in one line; aiokafka's own error lines go."""
    import logging

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


def _pipe_friendly() -> None:
    """``stance tail ... | head``: end quietly when the reader goes away, as Unix tools do."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _standalone(name: str, args: Sequence[str]) -> None:
    mod = _module(name)

    def run(**kwargs) -> None:
        asyncio.run(guarded(name, mod.command, None, **kwargs))

    run.__doc__ = mod.command.__doc__
    cmd = click.command(name=name, help=mod.command.__doc__)(run)
    for opt in mod.OPTIONS:
        cmd = opt(cmd)
    cmd.main(args=list(args), prog_name=f"stance {name}")


def register(app) -> None:
    """Add every command module to the Faust app's CLI (Faust names a command after its function)."""
    for name in NAMES:
        mod = _module(name)

        async def handler(self, *args, _run=mod.command, _name=name, **kwargs):
            return await guarded(_name, _run, self, *args, **kwargs)

        handler.__name__ = handler.__qualname__ = name
        handler.__doc__ = mod.command.__doc__
        handler.__module__ = mod.__name__
        app.command(*mod.OPTIONS)(handler)


def version_line() -> str:
    """``stance --version``: this package's version and the ones it was run with."""
    from importlib.metadata import PackageNotFoundError, version

    from stream import __version__

    def of(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:  # pragma: no cover
            return "missing"

    deps = ", ".join(f"{d} {of(d)}" for d in ("faust-streaming", "aiokafka", "spacy", "pydantic"))
    return f"stance-stream {__version__} ({deps}; Python {sys.version.split()[0]})"


def usage() -> str:
    """``stance --help``: the project's commands first; Faust's own are behind ``stance faust-help``."""
    lines = ["Usage: stance COMMAND [OPTIONS] ...", "",
             "Track what public actors say: enrich news articles from Kafka with stances, keep positions,",
             "alert on reversals. `stance COMMAND --help` tells more about each command.", "",
             "Commands:",
             f"  {'worker':<10} run the streaming worker (Faust's worker: `stance worker --help`)"]
    for name in NAMES:
        doc = (_module(name).command.__doc__ or "").strip().splitlines()
        lines.append(f"  {name:<10} {doc[0] if doc else ''}")
    lines += ["", "  --version  print the versions", "  faust-help Faust's own command list (agents, tables, ...)", "",
              "Settings are STANCE_* environment variables (or a .env file): `stance settings` prints them."]
    return "\n".join(lines)


def warn_unknown_settings() -> None:
    from stream.settings import names_in_use, unknown_names

    for warning in unknown_names(names_in_use()):
        sys.stderr.write(f"stance: warning: {warning}\n")


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    if command in ("--version", "-V", "version"):
        print(version_line())
        return
    if command in ("", "-h", "--help", "help"):
        print(usage())
        return
    if command == "faust-help":
        args[0:1] = ["--help"]
        sys.argv[1:] = args
        command = "--help"
    try:
        warn_unknown_settings()
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        fail(command, message)
    if command in ("tail", "process", "settings", "topics"):
        _pipe_friendly()
    try:
        if command in STANDALONE:
            _standalone(command, args[1:])
            return
        from stream.worker import agents, web  # noqa: F401  (register agents, tables and views)
        from stream.worker.app import app

        if command == "worker" and not any(a in ("--help",) for a in args):
            prepare_worker()
            from stream.worker import faust_compat
            from stream.worker.app import settings as worker_settings

            faust_compat.bound_shutdown(worker_settings.shutdown_seconds)
            if not app.conf.web_enabled and "--with-web" not in args and "--without-web" not in args:
                # Faust's worker command sets web_enabled from its own --with-web flag (default on),
                # which would override STANCE_WEB_ENABLED=false
                args.append("--without-web")
                sys.argv[1:] = args
        elif command in NAMES:
            _quiet_client_logs()
    except Exception as exc:  # settings are read when the app is built
        message = explain(exc)
        if message is None:
            raise
        fail(command or "stance", message)
    register(app)
    app.main()


if __name__ == "__main__":
    main()
