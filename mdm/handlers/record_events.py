"""Use case: take in transactional events of one source (REST, webhooks, the event
stream, bulk files: the same semantics everywhere)."""

from __future__ import annotations

from canonical.commands import RecordEvents
from mdm.db.uow import UnitOfWork
from mdm.domain.transactional import EventResult, record_events

__all__ = ["handle"]


def handle(cmd: RecordEvents, uow: UnitOfWork) -> list[EventResult]:
    """One result per event, in order; see :mod:`mdm.domain.transactional.intake`."""
    return record_events(uow, cmd)
