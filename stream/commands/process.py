"""``stance process``: the worker's enrichment and position tracking without a broker.

Same functions as the agents (ingest checks, the process pool, the tracker),
in one process tree, writing JSONL files instead of topics: the way to score
the pipeline, backtest a knowledge-base change, or debug an article.
"""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from schemas import StanceRecord
from stream import codec
from stream.commands import argument, option
from stream.commands.sources import iter_items
from stream.ingest import DUPLICATE_ID, ENRICHMENT_FAILED, Rejection, dead_letter, parse_article
from stream.pool import EnrichPool
from stream.positions import PositionTracker
from stream.settings import Settings, get_settings


@dataclass
class Summary:
    read: int = 0
    enriched: int = 0
    dead_lettered: int = 0
    stances: int = 0
    alerts: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    rule_errors: int = 0

    def line(self) -> str:
        why = ", ".join(f"{k}={v}" for k, v in sorted(self.reasons.items()))
        return (f"read {self.read}, enriched {self.enriched}, dead-lettered {self.dead_lettered}"
                f"{' (' + why + ')' if why else ''}, stances {self.stances}, alerts {self.alerts}"
                f"{f', NLP rule errors {self.rule_errors} (logged)' if self.rule_errors else ''}")


def _progress(total: int | None):
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="article", file=sys.stderr)


async def process(inputs: Iterable[str], out_dir: Path, settings: Settings, *, workers: int = 0,
                  pool: EnrichPool | None = None) -> Summary:
    out_dir.mkdir(parents=True, exist_ok=True)
    items = [item for loc in inputs for item in iter_items(loc)]
    summary = Summary()
    tracker = PositionTracker(min_confidence=settings.min_confidence, history_limit=settings.history_per_key)
    own_pool = pool is None
    pool = pool or EnrichPool(workers or settings.pool_workers, settings)
    bar = _progress(len(items))
    seen: dict[str, str] = {}
    files = {name: (out_dir / f"{name}.jsonl").open("wb") for name in ("enriched", "stances", "alerts", "dlq")}

    def write(name: str, payload: bytes) -> None:
        files[name].write(payload + b"\n")

    def reject(origin: str, raw: bytes, reason: str, detail: str) -> None:
        summary.dead_lettered += 1
        summary.reasons[reason] = summary.reasons.get(reason, 0) + 1
        write("dlq", codec.dumps(dead_letter(raw=raw, reason=reason, detail=detail, source_topic=origin, settings=settings)))

    try:
        chunk = max(pool.workers * 4, settings.batch_size)
        for start in range(0, len(items), chunk):
            batch = []
            for item in items[start:start + chunk]:
                summary.read += 1
                parsed = parse_article(item.payload, settings)
                if isinstance(parsed, Rejection):
                    reject(item.origin, item.payload, parsed.reason, parsed.detail)
                    continue
                if parsed.id in seen:
                    reject(item.origin, item.payload, DUPLICATE_ID, f"article id {parsed.id!r} was already read at {seen[parsed.id]}")
                    continue
                seen[parsed.id] = item.origin
                batch.append((item, parsed))
            results = await pool.enrich_batch([a for _, a in batch])
            for (item, article), res in zip(batch, results):
                if isinstance(res, BaseException):
                    reject(item.origin, item.payload, ENRICHMENT_FAILED, f"{type(res).__name__}: {res}")
                    continue
                summary.enriched += 1
                summary.rule_errors += res.rule_errors
                write("enriched", res.enriched)
                for _, stance_bytes in res.stances:
                    summary.stances += 1
                    write("stances", stance_bytes)
                    for change in tracker.apply(StanceRecord.model_validate_json(stance_bytes),
                                                now=datetime.now(timezone.utc)):
                        summary.alerts += 1
                        write("alerts", codec.dumps(change))
            if bar:
                bar.update(min(chunk, len(items) - start))
    finally:
        for fh in files.values():
            fh.close()
        if bar:
            bar.close()
        if own_pool:
            pool.close()
    return summary


def run(inputs: list[str], out_dir: Path, settings: Settings, workers: int = 0) -> Summary:
    return asyncio.run(process(inputs, out_dir, settings, workers=workers))


# --------------------------------------------------------------------------- command line

OPTIONS = (
    argument("inputs", nargs=-1, required=True, type=str),
    option("--out", "out", type=str, required=True, help="Output directory"),
    option("--workers", "workers", type=int, default=0, help="Pool processes (0 = one per core)"),
)


async def command(self, inputs: tuple[str, ...], out: str, workers: int) -> None:
    """Enrich and track positions offline: INPUT... -> DIR/{enriched,stances,alerts,dlq}.jsonl."""
    summary = await process(list(inputs), Path(out), get_settings(), workers=workers)
    print(summary.line(), file=sys.stderr)
