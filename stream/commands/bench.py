"""``stance bench``: the benchmarks of :mod:`stream.devtools.bench`."""
from __future__ import annotations

import asyncio
from pathlib import Path

from stream.commands import option

OPTIONS = (
    option("--input", "input_path", type=str, default=None, help="Article JSONL (default: the shipped samples)"),
    option("--limit", "limit", type=int, default=None, help="Use at most this many articles"),
    option("--json", "json_out", type=str, default="var/bench.json", help="Where to write the figures"),
    option("--bootstrap", "bootstrap", type=str, default=None, help="Use this broker instead of starting one"),
    option("--two-workers", "two_workers", is_flag=True, default=False, help="Also measure scale-out with two workers"),
)


async def command(self, input_path: str | None, limit: int | None, json_out: str, bootstrap: str | None,
                  two_workers: bool) -> None:
    """Measure every stage against its limit (see stream/devtools/bench.py); prints a table, writes JSON."""
    from stream.devtools import bench as b

    await asyncio.get_running_loop().run_in_executor(
        None, lambda: b.run(input_path or str(b.DEFAULT_INPUT), limit=limit, out_json=Path(json_out),
                            bootstrap=bootstrap, workers2=two_workers))
