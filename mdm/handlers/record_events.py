"""Use case: take in transactional events of one source (REST, webhooks, the event
stream, bulk files: the same semantics everywhere)."""

from __future__ import annotations

from canonical.commands import RecordEvents
from mdm.db.uow import UnitOfWork
from mdm.domain.transactional import EventResult, record_events
from mdm.metrics import observe_inbound_event

__all__ = ["handle"]


def handle(cmd: RecordEvents, uow: UnitOfWork) -> list[EventResult]:
    """One result per event, in order; see :mod:`mdm.domain.transactional.intake`. Each
    result is counted in ``mdm_inbound_events_total`` once the transaction has committed
    (a retried transaction counts once)."""
    results = record_events(uow, cmd)

    def count() -> None:
        for r in results:
            observe_inbound_event(cmd.source, r.type or "unknown", r.status)

    uow.after_commit(count)
    return results
