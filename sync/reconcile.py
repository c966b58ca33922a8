"""Reconciliation: what each target acknowledged against the golden state now.

It queues every golden record a target has never been sent (a target added after
the records, or re-enabled) and every one whose acknowledged version is behind.
Runs when a worker starts and every ``MDM_SYNC_RECONCILE_SECONDS`` after.
"""

from __future__ import annotations

from datetime import datetime

from mdm.plugin_api import UnitOfWork
from sync.relay import delivery_id, parent_of

__all__ = ["reconcile_target"]


def reconcile_target(uow: UnitOfWork, target_name: str, *, now: datetime, batch: int = 5000) -> int:
    """Queue up to ``batch`` drifted records of one target; returns how many."""
    target = uow.targets.get(target_name)
    if target is None or not target["enabled"]:
        return 0
    drifted = uow.deliveries.missing_for(target_name, target["entity_types"], batch)
    uow.deliveries.plan(
        [
            {
                "id": delivery_id(target_name, g["id"]),
                "target": target_name,
                "golden_id": g["id"],
                "entity_type": g["entity_type"],
                "parent_golden_id": parent_of(g["entity_type"], g["attributes"]),
                "wanted_version": g["version"],
                "correlation_id": None,
                "changed_at": g["updated_at"],
                "now": now,
            }
            for g in drifted
        ]
    )
    return len(drifted)
