"""Peak memory and CPU time of a process tree, from /proc (the benchmarks and the fault tests)."""
from __future__ import annotations

import os
from pathlib import Path


def _tree(pid: int) -> list[int]:
    """A process and its descendants, from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
        out.append(p)
    return out


def rss_peak_kb(pid: int) -> dict[int, int]:
    """Peak RSS (VmHWM, kB) of a process and its descendants, from /proc."""
    out: dict[int, int] = {}
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out[p] = int(line.split()[1])
        except (OSError, ValueError):
            continue
    return out


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time (user + system, s) used so far by a process and each of its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return out
