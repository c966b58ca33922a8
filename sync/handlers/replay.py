"""Use case: re-drive deliveries (dead letters above all), forced: each is sent again with
its golden record's current state even if the target already acknowledged that version."""

from __future__ import annotations

from typing import Any

from canonical.commands import ReplayDeliveries
from canonical.errors import FieldError, InvalidInput
from mdm.plugin_api import DELIVERY_STATES, UnitOfWork

__all__ = ["handle"]


def handle(cmd: ReplayDeliveries, uow: UnitOfWork) -> dict[str, Any]:
    selectors = (cmd.target, cmd.state, cmd.delivery_ids, cmd.golden_id, cmd.since, cmd.until)
    if all(s is None for s in selectors):
        raise InvalidInput(
            "say which deliveries to replay",
            [FieldError("", "give target and state, delivery_ids, golden_id or a time range")],
        )
    if cmd.state is not None and cmd.state not in DELIVERY_STATES:
        raise InvalidInput(
            "unknown delivery state",
            [FieldError("/state", f"one of {', '.join(DELIVERY_STATES)}", "enum")],
        )
    now = uow.clock.now()
    ids = uow.deliveries.replay(
        now=now,
        target=cmd.target,
        state=cmd.state,
        ids=cmd.delivery_ids,
        golden_id=cmd.golden_id,
        since=cmd.since,
        until=cmd.until,
    )
    uow.audit.record(
        actor=cmd.actor,
        action="deliveries_replayed",
        target_id=cmd.golden_id,
        detail={"target": cmd.target, "state": cmd.state, "count": len(ids)},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {"replayed": len(ids), "delivery_ids": ids[:1000]}
