"""Reads of the sync side: targets with their queues, deliveries with their attempts."""

from __future__ import annotations

from typing import Any

from canonical.errors import NotFound
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork
from mdm.queries.golden import iso
from sync.targets import SUCCESS_WINDOW, target_view

__all__ = ["delivery_detail", "list_deliveries", "list_targets"]


def list_targets(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every target with its queue and its success rate over the last hour."""
    now = utcnow()
    stats = uow.targets.stats(now)
    outcomes = uow.deliveries.outcomes_since(now - SUCCESS_WINDOW)
    return [
        target_view(row, stats.get(row["name"]), now, outcomes.get(row["name"], {}))
        for row in uow.targets.all()
    ]


def _delivery_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "target": row["target"],
        "golden_id": row["golden_id"],
        "entity_type": row["entity_type"],
        "state": row["state"],
        "wanted_version": row["wanted_version"],
        "delivered_version": row["delivered_version"],
        "attempts": row["attempts"],
        "failures": row["failures"],
        "last_error": row["last_error"],
        "next_attempt_at": iso(row["next_attempt_at"]),
        "correlation_id": row["correlation_id"],
        "changed_at": iso(row["changed_at"]),
        "updated_at": iso(row["updated_at"]),
        "delivered_at": iso(row["delivered_at"]),
    }


def list_deliveries(
    uow: UnitOfWork,
    *,
    target: str | None,
    state: str | None,
    golden_id: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    total, rows = uow.deliveries.page(
        target=target, state=state, golden_id=golden_id, limit=limit, offset=offset
    )
    return {"total": total, "items": [_delivery_view(r) for r in rows]}


def delivery_detail(uow: UnitOfWork, delivery_id: str) -> dict[str, Any]:
    found = uow.deliveries.by_ids([delivery_id])
    if not found:
        raise NotFound(f"no delivery '{delivery_id}'")
    attempts = [{**a, "at": iso(a["at"])} for a in uow.deliveries.attempts_of(delivery_id)]
    return _delivery_view(found[0]) | {"attempts": attempts}
