"""Enrichment off the event loop, in a pool of worker processes.

spaCy holds the GIL, so threads would not use the second core; processes do.
Each process builds one :class:`~stream.nlp.enricher.Enricher` at start-up, from
the :class:`~stream.settings.Settings` the pool was given (passed to the
initializer, not re-read from the environment), and
returns already-encoded JSON, so the event loop only forwards bytes. A crashed
pool process (OOM, segfault in a native library) breaks the executor: we
rebuild it and retry each article of the batch once on its own, so one poison
article is dead-lettered and the rest go through.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from schemas import Article
from stream import codec
from stream.settings import Settings, get_settings

_ENRICHER: Any = None


@dataclass(slots=True)
class EnrichResult:
    """What one article yields, encoded: the EnrichedArticle and its stances keyed by actor id."""

    article_id: str
    enriched: bytes
    stances: list[tuple[str, bytes]] = field(default_factory=list)
    polarities: list[str] = field(default_factory=list)
    rule_errors: int = 0  # NLP rule errors while enriching it (logged and counted in the pool process)


def _init_worker(settings: Settings) -> None:
    """The pool's initializer: one Enricher per process, with the pool's settings."""
    global _ENRICHER
    from stream.nlp.enricher import Enricher

    _ENRICHER = Enricher(settings)


def enrich_article(article: Article) -> EnrichResult:
    """Runs in a pool process (or inline, with the environment's settings)."""
    if _ENRICHER is None:
        _init_worker(get_settings())
    from stream.nlp import errors

    before = errors.count()
    enriched = _ENRICHER.enrich(article)
    # Strongest first: the tracker judges a stance when it arrives, so within one
    # article the statement that should win must be applied first (see positions.py).
    ordered = sorted(enriched.stances, key=lambda s: (s.tense == "current", s.confidence, s.evidence.start, s.id),
                     reverse=True)
    return EnrichResult(
        article_id=article.id,
        enriched=codec.dumps(enriched),
        stances=[(s.actor.id, codec.dumps(s)) for s in ordered],
        polarities=[s.polarity for s in ordered],
        rule_errors=errors.count() - before,
    )


def default_workers(requested: int = 0) -> int:
    if requested:
        return requested
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class EnrichPool:
    """An asyncio-facing process pool that survives a dead worker process."""

    def __init__(self, workers: int = 0, settings: Settings | None = None) -> None:
        self.workers = default_workers(workers)
        self.settings = settings or get_settings()
        self._executor: Executor = self._new_executor()

    def _new_executor(self) -> Executor:
        # spawn, not fork: the parent runs an event loop and aiokafka's sockets.
        ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(self.settings,))

    def warm_up(self) -> None:
        """Load the model in every process before the first article arrives."""
        futures = [self._executor.submit(os.getpid) for _ in range(self.workers)]
        for f in futures:
            f.result()

    async def _run(self, article: Article) -> EnrichResult:
        return await asyncio.get_running_loop().run_in_executor(self._executor, enrich_article, article)

    async def enrich(self, article: Article) -> EnrichResult:
        """Enrich one article; if a pool process died under it, rebuild the pool and retry once."""
        try:
            return await self._run(article)
        except BrokenProcessPool:
            self._restart_once()
            return await self._run(article)

    def _restart_once(self) -> None:
        # Every in-flight future of a broken pool fails at once; rebuild only for the first.
        if getattr(self._executor, "_broken", False):
            self._restart()

    async def enrich_batch(self, articles: list[Article]) -> list[EnrichResult | BaseException]:
        """Enrich concurrently; results line up with ``articles``; failures come back as exceptions."""
        results: list[EnrichResult | BaseException] = list(
            await asyncio.gather(*(self._run(a) for a in articles), return_exceptions=True)
        )
        if any(isinstance(r, BrokenProcessPool) for r in results):
            self._restart()
            for i, r in enumerate(results):
                if isinstance(r, BrokenProcessPool):
                    try:
                        results[i] = await self._run(articles[i])
                    except BrokenProcessPool as exc:
                        self._restart()
                        results[i] = exc
        return results

    def _restart(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._new_executor()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def pids(self) -> list[int]:
        procs = getattr(self._executor, "_processes", None) or {}
        return sorted(procs)
