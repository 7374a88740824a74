"""The one orjson codec behind every topic (pure orjson: no Faust here).

Values are pydantic models on the way out and plain JSON objects on the way
in; the agents validate them into models themselves so that a bad payload
becomes a dead letter instead of a decode error inside Faust. Bytes pass
through untouched: they were encoded by :func:`dumps` in a pool process, so
the event loop never serialises a large enriched record twice.

The Faust side (``value_serializer="orjson"``) is registered by
:mod:`stream.worker.app`, which wraps these two functions.
"""
from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

CODEC_NAME = "orjson"
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def dumps(obj: Any) -> bytes:
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj)
    if isinstance(obj, BaseModel):
        obj = obj.model_dump()
    return orjson.dumps(obj, default=_default, option=_OPTIONS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
