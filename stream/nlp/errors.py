"""What happens when an NLP rule raises: logged with the article id, counted, and raised when strict.

A rule error drops that rule's output for one token, sentence or article (the
rest of the article is still enriched), so it must be visible: every one is
logged with the article id and counted in ``stance_rule_errors_total`` (a plain
prometheus_client counter in the process that ran the rule; the worker adds the
pool's counts to its own ``/metrics`` through :class:`stream.pool.EnrichResult`).
With ``strict`` (``STANCE_STRICT=true``; the unit tests set it) the error is raised.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from prometheus_client import Counter

log = logging.getLogger("stream.nlp.errors")

RULE_ERRORS = Counter("stance_rule_errors_total", "Errors raised inside an NLP rule (its output for that "
                      "token, sentence or article is dropped)", ["rule"])

_count = 0


def count() -> int:
    """Rule errors so far in this process (the pool reports the difference per article)."""
    return _count


@dataclass(frozen=True)
class ErrorPolicy:
    strict: bool = False

    def failed(self, rule: str, article_id: str | None, exc: BaseException) -> None:
        """Call from an ``except`` block: log and count ``exc``; re-raise it when strict."""
        global _count
        _count += 1
        RULE_ERRORS.labels(rule).inc()
        log.warning("rule %s failed for article %s: %s: %s", rule, article_id, type(exc).__name__, exc,
                    exc_info=exc if log.isEnabledFor(logging.DEBUG) else None)
        if self.strict:
            raise exc


LENIENT = ErrorPolicy(strict=False)
STRICT = ErrorPolicy(strict=True)
