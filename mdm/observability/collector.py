"""Gauges read from the database when Prometheus scrapes: the same answer from every
process, and nothing to keep in step when work happens elsewhere (a CLI load, a
worker, another API process). One read-only transaction per scrape, through the
operational read model (``mdm.db.read.ops``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from mdm.bus import MessageBus

__all__ = ["DatabaseCollector"]

log = logging.getLogger(__name__)


def _families(gauges: dict[str, Any]) -> list[Metric]:
    tasks = GaugeMetricFamily(
        "mdm_steward_tasks_open",
        "Steward tasks waiting for a decision, by entity type and kind",
        labels=["entity_type", "kind"],
    )
    for entity_type, kind, n in gauges["open_tasks"]:
        tasks.add_metric([entity_type, kind], float(n))
    backlog = GaugeMetricFamily(
        "mdm_outbox_backlog",
        "Outbox events a relay has not read yet (deliveries: planning for targets; "
        "stream: publishing to NATS)",
        labels=["relay"],
    )
    age = GaugeMetricFamily(
        "mdm_outbox_oldest_age_seconds",
        "Age of the oldest outbox event a relay has not read yet; 0 when caught up",
        labels=["relay"],
    )
    for relay, count, seconds in gauges["relay_backlog"]:
        backlog.add_metric([relay], float(count))
        age.add_metric([relay], seconds)
    deliveries = GaugeMetricFamily(
        "mdm_delivery_queue",
        "Deliveries to targets by state (pending, in_flight, delivered, dead, held)",
        labels=["target", "state"],
    )
    for target, state, n in gauges["delivery_states"]:
        deliveries.add_metric([target, state], float(n))
    return [tasks, backlog, age, deliveries]


class DatabaseCollector(Collector):
    """A database that cannot be read makes ``mdm_database_up`` 0 and leaves the other
    gauges out, so the rest of the scrape still arrives."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    def describe(self) -> Iterable[Metric]:
        return []  # no queries when the collector is registered

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("mdm_database_up", "1 when the scrape could read the database")
        try:
            families = _families(self.bus.query(lambda uow: uow.reads.ops_gauges(uow.clock.now())))
            up.add_metric([], 1.0)
        except Exception:
            log.exception("metrics: the database could not be read")
            families = []
            up.add_metric([], 0.0)
        yield up
        yield from families
