"""Prometheus metrics of the hub, all named ``mdm_*``, and the calls that move them.

Counters and histograms live in this process (prometheus-client's default registry)
and move where things happen: ``mdm.observability``'s HTTP middleware for every
answer, :func:`observe_ingest` once an ingest has committed, the dispatcher for every
delivery. Gauges that describe the
database (open steward tasks, outbox backlog) are read at scrape time instead, by
:mod:`mdm.observability.collector`, so every process reports the same truth.

With ``mdm serve --workers N`` the workers are separate processes: serve sets
``PROMETHEUS_MULTIPROC_DIR`` (:func:`prepare_multiprocess`) before they start, each
worker writes its counters there, and whichever worker answers ``/metrics`` adds up
all of them (prometheus-client's multiprocess mode).

Hooks for the outbound and inbound work (deliveries, dead letters, inbound events)
are here already, named and labelled, so those issues only call them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "DEAD_LETTERS",
    "DELIVERIES",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "INBOUND_EVENTS",
    "INGEST_RESULTS",
    "MATCH_DECISIONS",
    "MULTIPROC_ENV",
    "observe_dead_letter",
    "observe_delivery",
    "observe_inbound_event",
    "observe_ingest",
    "prepare_multiprocess",
    "process_metrics",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # requests no route took (404s, refusals before routing)

HTTP_REQUESTS = Counter(
    "mdm_http_requests_total",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "mdm_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by method and route template",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
INGEST_RESULTS = Counter(
    "mdm_ingest_results_total",
    "Source records taken in, by what happened to each: created, linked, updated, "
    "unchanged, stale, review or rejected",
    ["source", "entity_type", "action"],
)
MATCH_DECISIONS = Counter(
    "mdm_match_decisions_total",
    "Match decisions for new source records, by outcome: link, review or new",
    ["entity_type", "outcome"],
)
DELIVERIES = Counter(
    "mdm_deliveries_total",
    "Delivery attempts to target systems, by target and the state they left the delivery in",
    ["target", "state"],
)
DEAD_LETTERS = Counter(
    "mdm_dead_letters_total",
    "Deliveries moved to the dead-letter queue, by target",
    ["target"],
)
INBOUND_EVENTS = Counter(
    "mdm_inbound_events_total",
    "Transactional events received, by source, event type and outcome "
    "(stored, parked, duplicate, stale, rejected)",
    ["source", "event_type", "outcome"],
)

# ingest action -> the match decision it stands for (only new records are matched)
_DECISIONS = {"created": "new", "linked": "link", "review": "review"}


class _Result(Protocol):
    @property
    def action(self) -> str | None: ...


def observe_ingest(results: Iterable[_Result], *, source: str, entity_type: str) -> None:
    """Count one batch of ingest results (one call where results are produced)."""
    for result in results:
        action = result.action or "rejected"
        INGEST_RESULTS.labels(source, entity_type, action).inc()
        outcome = _DECISIONS.get(action)
        if outcome is not None:
            MATCH_DECISIONS.labels(entity_type, outcome).inc()


def observe_delivery(target: str, outcome: str, n: int = 1) -> None:
    """Delivery attempts settled by the dispatcher, by outcome (``delivered``,
    ``skipped``: the target had that state already, ``retry``, ``dead``)."""
    DELIVERIES.labels(target, outcome).inc(n)


def observe_dead_letter(target: str, n: int = 1) -> None:
    """Deliveries given up and kept as dead letters."""
    DEAD_LETTERS.labels(target).inc(n)


def observe_inbound_event(source: str, event_type: str, outcome: str) -> None:
    """Hook for the inbox: one transactional event and what became of it."""
    INBOUND_EVENTS.labels(source, event_type, outcome).inc()


def prepare_multiprocess(workers: int) -> str | None:
    """Before starting ``workers`` > 1 processes: a fresh directory for their metrics,
    unless ``PROMETHEUS_MULTIPROC_DIR`` names one already (then it is emptied, as
    prometheus-client asks, since files of an earlier run would be added in)."""
    if workers <= 1:
        return None
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        shutil.rmtree(given, ignore_errors=True)
        os.makedirs(given, exist_ok=True)
        return given
    path = tempfile.mkdtemp(prefix="mdm-metrics-")
    os.environ[MULTIPROC_ENV] = path
    return path


def process_metrics() -> bytes:
    """The counters and histograms in the text format: this process's, or in
    multiprocess mode every worker's added up."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
