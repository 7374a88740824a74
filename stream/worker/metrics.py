"""Prometheus metrics, served by the worker at GET /metrics.

Names follow Prometheus conventions; a fault (a broker outage, a flood of bad
input) shows up as a change in these series, which is how the fault tests
check that it was seen.
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()

ARTICLES_IN = Counter("stance_articles_in_total", "Input messages read", registry=REGISTRY)
ENRICHED = Counter("stance_articles_enriched_total", "Articles enriched and published", registry=REGISTRY)
DEAD_LETTERED = Counter("stance_dead_letters_total", "Messages sent to the dead-letter topic", ["reason"], registry=REGISTRY)
STANCES = Counter("stance_stances_total", "Stance records published", ["polarity"], registry=REGISTRY)
ALERTS = Counter("stance_alerts_total", "Position changes published", ["kind"], registry=REGISTRY)
STANCES_APPLIED = Counter("stance_stances_applied_total", "Stance records applied to the positions table", registry=REGISTRY)
STANCES_IGNORED = Counter("stance_stances_redelivered_total", "Stance records ignored as already applied", registry=REGISTRY)
ENRICH_SECONDS = Histogram(
    "stance_enrichment_seconds",
    "Seconds from an article entering the pool to its in-order publication (includes waiting behind earlier articles)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
    registry=REGISTRY,
)
RULE_ERRORS = Counter("stance_rule_errors_total", "Errors inside an NLP rule, in the pool's processes "
                      "(see stream/nlp/errors.py)", registry=REGISTRY)
POOL_QUEUE = Gauge("stance_pool_queue_depth", "Articles submitted to the pool and not yet done", registry=REGISTRY)
CONSUMER_LAG = Gauge("stance_consumer_lag", "Messages behind the end of each input partition", ["topic", "partition"], registry=REGISTRY)
OFFSETS_DROPPED = Counter("stance_offsets_dropped_total", "Delivered records the offset guard dropped "
                          "(duplicate: already admitted; ahead: records before it were skipped, so it seeks back)",
                          ["topic", "verdict"], registry=REGISTRY)
OFFSET_SEEKS = Counter("stance_offset_seeks_total", "Seeks back to the next expected offset", ["topic", "reason"],
                       registry=REGISTRY)
OFFSETS_SKIPPED = Counter("stance_offsets_skipped_total", "Offsets deleted by retention before they were processed",
                          ["topic"], registry=REGISTRY)
COMMIT_STALLED = Gauge("stance_commit_stalled_seconds", "Seconds the committed offset has not moved while records "
                       "of the partition were being finished (0 when commits follow)", ["topic", "partition"],
                       registry=REGISTRY)
BROKER_CONNECTED = Gauge("stance_broker_connected", "1 while the consumer holds a live broker connection, else 0",
                         registry=REGISTRY)
PUBLISH_RETRIES = Counter("stance_publish_retries_total", "Output sends retried after the producer reported "
                          "a failure", ["topic"], registry=REGISTRY)
TRACK_RETRIES = Counter("stance_track_retries_total", "Stance records whose tracking raised and was retried",
                        registry=REGISTRY)


def render() -> bytes:
    return generate_latest(REGISTRY)
