"""Which matrix library spaCy's models multiply with, and with how many threads.

thinc (spaCy's network library) multiplies with its bundled blis by default. On our 2-core
development machine (AMD EPYC, AVX2) numpy's OpenBLAS runs the same float32 products about 3x
faster (83 vs 24 GFLOP/s for the 11,000 x 288 by 288 x 288 product the tok2vec layers do) and
gives the same annotations; ``stance bench`` prints spaCy's pipeline with both. BLAS is held to
one thread per process: parallelism comes from the enrichment pool's processes, and a
multi-threaded BLAS in each of them would fight over the same cores.
"""
from __future__ import annotations

from stream.settings import Settings


def configure(settings: Settings) -> None:
    """Set thinc's current ops for models loaded after this call (spaCy.load reads them) and the
    process's BLAS thread count."""
    from thinc.api import NumpyOps, set_current_ops
    from threadpoolctl import threadpool_limits

    set_current_ops(NumpyOps(use_blis=settings.nlp_blas == "blis"))
    if settings.nlp_threads:
        threadpool_limits(limits=settings.nlp_threads, user_api="blas")
