"""Use case: submit a quarantined payload again (or a corrected one)."""

from __future__ import annotations

from canonical.commands import IngestItem, IngestRecords, RecordEvents, ResubmitQuarantined
from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.ingest import ItemResult, ingest
from mdm.domain.transactional import EventResult, record_events
from mdm.domain.transactional.intake import QUARANTINE_TYPE

__all__ = ["handle"]


def _resubmit_event(cmd: ResubmitQuarantined, uow: UnitOfWork, item: dict) -> EventResult:
    """A quarantined transactional event (``{"record": ...}`` carries a corrected one)."""
    payload = item["payload"] if cmd.record is None else cmd.record
    events = RecordEvents(
        item["source"], (payload,), cmd.correlation_id, origin="resubmit", quarantine_invalid=False
    )
    [result] = record_events(uow, events)
    if result.status == "rejected":
        raise InvalidInput(
            "the event still breaks its canonical schema",
            [FieldError(e["pointer"], e["message"], e["code"]) for e in result.errors],
        )
    uow.quarantine.close(cmd.quarantine_id, status="resubmitted", at=uow.clock.now())
    return result


def handle(
    cmd: ResubmitQuarantined, uow: UnitOfWork, *, matcher: Matcher
) -> ItemResult | EventResult:
    """Success closes the entry; failure raises :class:`InvalidInput` and leaves the
    entry open as it was (nothing else is written)."""
    item = uow.quarantine.get(cmd.quarantine_id)
    if item is None:
        raise NotFound(f"no quarantined payload '{cmd.quarantine_id}'")
    if item["status"] not in ("open", "issue"):
        raise Conflict(f"quarantined payload '{cmd.quarantine_id}' was already {item['status']}")
    if item["entity_type"] == QUARANTINE_TYPE:
        return _resubmit_event(cmd, uow, item)
    payload = item["payload"] if cmd.record is None else cmd.record
    ingest_cmd = IngestRecords(
        source=item["source"],
        entity_type=item["entity_type"],
        items=(IngestItem(cmd.source_id or item["source_id"], payload),),
        correlation_id=cmd.correlation_id,
        quarantine_invalid=False,
    )
    [result] = ingest(uow, matcher, ingest_cmd)
    if result.status != "accepted":
        raise InvalidInput(
            "the payload still breaks the canonical model",
            [FieldError(e["pointer"], e["message"], e["code"]) for e in result.errors],
        )
    uow.quarantine.close(
        cmd.quarantine_id,
        status="resubmitted",
        at=uow.clock.now(),
        resolution="accepted on resubmit",
    )
    return result
