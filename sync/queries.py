"""Reads of the sync side: targets with their queues, deliveries with their attempts."""

from __future__ import annotations

from typing import Any

from canonical.errors import NotFound
from canonical.privacy import scrub_text
from canonical.states import DeliveryState
from canonical.timestamps import iso
from mdm.plugin_api import UnitOfWork
from sync.targets import SUCCESS_WINDOW, target_view

__all__ = ["delivery_detail", "get_target", "list_deliveries", "list_targets"]


def list_targets(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every target with its queue and its success rate over the last hour."""
    now = uow.clock.now()
    stats = uow.targets.stats(now)
    outcomes = uow.deliveries.outcomes_since(now - SUCCESS_WINDOW)
    return [
        target_view(row, stats.get(row["name"]), now, outcomes.get(row["name"], {}))
        for row in uow.targets.all()
    ]


def get_target(uow: UnitOfWork, name: str) -> dict[str, Any]:
    """One target with its queue, as :func:`list_targets` shows it; NotFound if unknown."""
    row = uow.targets.get(name)
    if row is None:
        raise NotFound(f"no sync target '{name}'")
    now = uow.clock.now()
    outcomes = uow.deliveries.outcomes_since(now - SUCCESS_WINDOW)
    return target_view(row, uow.targets.stats(now).get(name), now, outcomes.get(name, {}))


def _error(error: dict[str, Any] | None, pii: bool) -> dict[str, Any] | None:
    """A target's error as stored; its message (the target's own text, which may quote the
    record) with emails and phone numbers masked unless ``pii``."""
    if pii or not error or not isinstance(error.get("message"), str):
        return error
    return {**error, "message": scrub_text(error["message"])}


def _delivery_view(row: dict[str, Any], pii: bool = False) -> dict[str, Any]:
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
        "last_error": _error(row["last_error"], pii),
        # held: what the record lacks for this target (sync.readiness)
        "missing": (row["last_error"] or {}).get("missing")
        if row["state"] == DeliveryState.HELD
        else None,
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
    pii: bool = False,
) -> dict[str, Any]:
    total, rows = uow.deliveries.page(
        target=target, state=state, golden_id=golden_id, limit=limit, offset=offset
    )
    return {"total": total, "items": [_delivery_view(r, pii) for r in rows]}


def delivery_detail(uow: UnitOfWork, delivery_id: str, *, pii: bool = False) -> dict[str, Any]:
    found = uow.deliveries.by_ids([delivery_id])
    if not found:
        raise NotFound(f"no delivery '{delivery_id}'")
    attempts = [{**a, "at": iso(a["at"])} for a in uow.deliveries.attempts_of(delivery_id)]
    attempts = [{**a, "error": _error(a["error"], pii)} for a in attempts]
    return _delivery_view(found[0], pii) | {"attempts": attempts}
