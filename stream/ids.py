"""The one hash helper behind every deterministic id (stances, alerts, content ids, replay names)."""
from __future__ import annotations

import hashlib


def sha_hex(text: str, n: int) -> str:
    """The first ``n`` hex digits of the SHA-256 of ``text`` (UTF-8; lone surrogates kept as they are)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def short_hash(*parts: object, n: int = 16) -> str:
    """An id from several parts: ``sha_hex`` of the parts joined by the unit separator (0x1f)."""
    return sha_hex("\x1f".join(str(p) for p in parts), n)
