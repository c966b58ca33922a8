"""Use case: take source records in (one, a batch, or a bulk file's chunk)."""

from __future__ import annotations

from canonical.commands import IngestRecords
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.ingest import ItemResult, ingest
from mdm.metrics import observe_ingest

__all__ = ["handle"]


def handle(cmd: IngestRecords, uow: UnitOfWork, *, matcher: Matcher) -> list[ItemResult]:
    """One result per item, in order (see :mod:`mdm.domain.ingest` for the steps);
    counted in the metrics once the transaction has committed."""
    results = ingest(uow, matcher, cmd)
    uow.after_commit(
        lambda: observe_ingest(results, source=cmd.source, entity_type=cmd.entity_type)
    )
    return results
