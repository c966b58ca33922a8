"""Use case: a steward discards a quarantined payload that will never be fixed, saying why."""

from __future__ import annotations

from typing import Any

from canonical.commands import DiscardQuarantined
from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from mdm.db.uow import UnitOfWork

__all__ = ["handle"]


def handle(cmd: DiscardQuarantined, uow: UnitOfWork) -> dict[str, Any]:
    reason = cmd.reason.strip()
    if not reason:
        raise InvalidInput(
            "a reason is required", [FieldError("/reason", "give a reason", "required")]
        )
    item = uow.quarantine.get(cmd.quarantine_id)
    if item is None:
        raise NotFound(f"no quarantined payload '{cmd.quarantine_id}'")
    if item["status"] not in ("open", "issue"):
        raise Conflict(f"quarantined payload '{cmd.quarantine_id}' was already {item['status']}")
    now = uow.clock.now()
    uow.quarantine.close(
        cmd.quarantine_id, status="discarded", at=now, resolution=reason[:1000], by=cmd.actor
    )
    uow.audit.record(
        actor=cmd.actor,
        action="quarantine_discarded",
        target_id=cmd.quarantine_id,
        detail={"source": item["source"], "source_id": item["source_id"]},
        reason=reason[:1000],
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {"id": cmd.quarantine_id, "status": "discarded"}
