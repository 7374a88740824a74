"""One builder for the broker connection, used by Faust and by every aiokafka client.

The bootstrap list, the TLS context and the SASL login are worked out once from
:class:`~stream.settings.Settings`; :meth:`Connection.aiokafka_options` and
:meth:`Connection.faust_credentials` only put them in each library's shape, so
the worker and ``stance publish/tail/alerts/topics`` can never disagree.
"""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from stream.settings import Settings

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")


def bootstrap_servers(settings: Settings) -> str:
    """Faust's ``kafka://h1:9092;h2:9092`` form -> aiokafka's ``h1:9092,h2:9092``."""
    parts = []
    for url in settings.broker.replace(",", ";").split(";"):
        url = url.strip()
        if "://" in url:
            url = url.split("://", 1)[1]
        if url:
            parts.append(url.rstrip("/"))
    return ",".join(parts)


@dataclass(frozen=True)
class Connection:
    protocol: str
    bootstrap: str
    ssl_context: ssl.SSLContext | None = None
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Connection":
        proto = settings.security_protocol
        if proto not in PROTOCOLS:
            raise ValueError(f"unsupported security protocol {proto}")
        context = None
        if proto in ("SSL", "SASL_SSL"):
            context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
        if not proto.startswith("SASL"):
            return cls(proto, bootstrap_servers(settings), context)
        password = settings.password()
        if not settings.sasl_username or password is None:
            raise ValueError(f"STANCE_SECURITY_PROTOCOL={proto} needs STANCE_SASL_USERNAME and STANCE_SASL_PASSWORD "
                             "(or STANCE_SASL_PASSWORD_FILE)")
        return cls(proto, bootstrap_servers(settings), context, settings.sasl_mechanism, settings.sasl_username,
                   password)

    def aiokafka_options(self) -> dict[str, Any]:
        opts: dict[str, Any] = {"bootstrap_servers": self.bootstrap, "security_protocol": self.protocol}
        if self.ssl_context is not None:
            opts["ssl_context"] = self.ssl_context
        if self.sasl_mechanism is not None:
            opts["sasl_mechanism"] = self.sasl_mechanism
            opts["sasl_plain_username"] = self.sasl_username
            opts["sasl_plain_password"] = self.sasl_password
        return opts

    def faust_credentials(self) -> Any:
        """``broker_credentials`` for :class:`faust.App` (None for PLAINTEXT). Imports Faust."""
        import faust

        if self.protocol == "PLAINTEXT":
            return None
        if self.protocol == "SSL":
            return faust.SSLCredentials(self.ssl_context)
        return faust.SASLCredentials(username=self.sasl_username, password=self.sasl_password,
                                     mechanism=self.sasl_mechanism, ssl_context=self.ssl_context)


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection options for any aiokafka client, from the same settings as the worker."""
    return Connection.from_settings(settings).aiokafka_options()
