"""What ``GET /health`` reports, and the worker's exit after an agent crash.

Faust restarts a crashed agent in place; when the cause is lasting (a topic it
cannot write, a bug hit by every record) that restart loops or sits stuck
while ``/health`` still says ok. An operator's supervisor (systemd, Kubernetes)
can only act on what it sees, so a crash marks the worker failed, ``/health``
answers 503 with the reason, and the process exits non-zero a few seconds
later. Nothing is lost by exiting: the offset guard never committed the record
that was being processed, so the restarted worker processes it again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: The exit status after an agent crash (EX_SOFTWARE, "internal software error").
EXIT_AGENT_CRASHED = 70


@dataclass
class Health:
    failures: list[str] = field(default_factory=list)
    exiting: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, reason: str) -> None:
        self.failures.append(reason)

    def report(self) -> dict:
        return {"status": "ok" if self.ok else "failed", "failures": list(self.failures)}


HEALTH = Health()
