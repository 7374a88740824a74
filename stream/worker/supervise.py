"""Start and stop ``python -m stream worker`` as a child process.

Used by ``stance replay`` (a worker in an isolated namespace), the demo, the
benchmarks and the integration tests, so they all run the real worker the
way an operator would.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class Worker:
    def __init__(self, env: dict[str, str], log_dir: Path, name: str = "worker", loglevel: str = "info",
                 module: str = "stream") -> None:
        """``module`` is what ``python -m`` runs (the tests run a wrapper that adds timing hooks)."""
        self.env = {**os.environ, **env}
        self.module = module
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self.loglevel = loglevel
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module, "worker", "-l", self.loglevel],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 60) -> int | None:
        """Graceful stop (SIGTERM to the process group), as an orchestrator would."""
        if not self.alive:
            return self.proc.returncode if self.proc else None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        """kill -9 the worker and its pool processes."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""
