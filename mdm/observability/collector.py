"""Gauges read from the database when Prometheus scrapes: the same answer from every
process, and nothing to keep in step when work happens elsewhere (a CLI load, a
worker, another API process).

Each gauge is one :class:`GaugeQuery`: cheap, index-backed reads (open tasks through
``ix_steward_task_status``, the outbox backlog through ``ix_outbox_pending``), the
backlog counted up to :data:`BACKLOG_CAP` rows so a runaway backlog does not make the
scrape itself slow. Other issues add their gauges (pending deliveries by target,
dead letters, parked inbound events) by appending to :data:`GAUGE_QUERIES`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import column, func, select, table
from sqlalchemy.engine import Connection, Engine

from mdm.db.types import UtcDateTime, utcnow

__all__ = ["BACKLOG_CAP", "GAUGE_QUERIES", "DatabaseCollector", "GaugeQuery"]

log = logging.getLogger(__name__)

BACKLOG_CAP = 1_000_000

Rows = Iterable[tuple[Sequence[str], float]]

# the columns read, by name: no dependence on how the persistence layer is arranged
ST = table("steward_task", column("status"), column("entity_type"), column("kind"))
OB = table("outbox", column("id"), column("published_at"), column("created_at", UtcDateTime()))


@dataclass(frozen=True, slots=True)
class GaugeQuery:
    """One gauge family: ``read`` returns (label values, value) rows."""

    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[Connection], Rows]


def _open_tasks(conn: Connection) -> Rows:
    stmt = (
        select(ST.c.entity_type, ST.c.kind, func.count())
        .where(ST.c.status == "open")
        .group_by(ST.c.entity_type, ST.c.kind)
    )
    return [((e, k), float(n)) for e, k, n in conn.execute(stmt)]


def _outbox_backlog(conn: Connection) -> Rows:
    pending = select(OB.c.id).where(OB.c.published_at.is_(None)).limit(BACKLOG_CAP).subquery()
    return [((), float(conn.execute(select(func.count()).select_from(pending)).scalar_one()))]


def _outbox_age(conn: Connection) -> Rows:
    oldest = conn.execute(
        select(OB.c.created_at).where(OB.c.published_at.is_(None)).order_by(OB.c.id).limit(1)
    ).scalar()
    return [((), max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0)]


GAUGE_QUERIES: list[GaugeQuery] = [
    GaugeQuery(
        "mdm_steward_tasks_open",
        "Steward tasks waiting for a decision, by entity type and kind",
        ("entity_type", "kind"),
        _open_tasks,
    ),
    GaugeQuery(
        "mdm_outbox_backlog",
        f"Outbox events not yet published (counted up to {BACKLOG_CAP:,})",
        (),
        _outbox_backlog,
    ),
    GaugeQuery(
        "mdm_outbox_oldest_age_seconds",
        "Age of the oldest outbox event not yet published; 0 when none waits",
        (),
        _outbox_age,
    ),
]


class DatabaseCollector(Collector):
    """Reads every :data:`GAUGE_QUERIES` entry in one read-only transaction per scrape.

    A database that cannot be read makes ``mdm_database_up`` 0 and leaves the other
    gauges out, so the rest of the scrape still arrives."""

    def __init__(self, engine: Engine, queries: Sequence[GaugeQuery] | None = None) -> None:
        self.engine = engine
        self.queries = GAUGE_QUERIES if queries is None else queries

    def describe(self) -> Iterable[Metric]:
        return []  # no queries when the collector is registered

    def collect(self) -> Iterator[Metric]:
        families: list[Metric] = []
        up = GaugeMetricFamily("mdm_database_up", "1 when the scrape could read the database")
        try:
            with self.engine.connect() as conn:
                for query in self.queries:
                    family = GaugeMetricFamily(
                        query.name, query.documentation, labels=list(query.labels)
                    )
                    for labels, value in query.read(conn):
                        family.add_metric(list(labels), value)
                    families.append(family)
                conn.rollback()
            up.add_metric([], 1.0)
        except Exception:
            log.exception("metrics: the database could not be read")
            families = []
            up.add_metric([], 0.0)
        yield up
        yield from families
