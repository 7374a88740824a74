"""Logs: JSON lines for machines, readable lines for a person at a terminal.

``STANCE_LOG_FORMAT=auto`` (the default) writes JSON, one object a line so log
shippers need no parsing rules, unless stderr is a terminal; ``json`` and
``text`` force one or the other. A traceback is one record either way (a
field of the JSON object, indented lines under the text one). aiokafka's own
INFO lines (connections, group joins) are mostly noise to an operator and are
kept at WARNING.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import orjson

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Anything passed with ``extra=`` (article_id, reason, topic ...) becomes a field.
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(out, default=str).decode()


class TextFormatter(logging.Formatter):
    """``12:00:01 INFO  stream.worker.agents: enriched article_id=a1 stances=2``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items()
                          if k not in _RESERVED and not k.startswith("_"))
        line = f"{stamp} {record.levelname:<5} {record.name}: {record.getMessage()}"
        if extras:
            line += f"  {extras}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def choose_format(setting: str = "auto", stream=None) -> str:
    """``json`` or ``text`` for ``STANCE_LOG_FORMAT`` (``auto``: text on a terminal)."""
    import sys

    if setting in ("json", "text"):
        return setting
    stream = stream if stream is not None else sys.stderr
    return "text" if getattr(stream, "isatty", lambda: False)() else "json"


def logging_config(level: str = "INFO", fmt: str = "auto") -> dict:
    """A dictConfig for Faust's ``logging_config`` setting."""
    formatter = choose_format(fmt)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "stream.worker.logs.JsonFormatter"},
                       "text": {"()": "stream.worker.logs.TextFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": formatter}},
        "loggers": {"aiokafka": {"level": "WARNING"}},
        "root": {"handlers": ["stderr"], "level": level},
    }
