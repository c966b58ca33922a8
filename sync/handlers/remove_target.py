"""Use case: remove a target and its queue (the crosswalk it built stays: those ids keep
linking the target's records back to golden records)."""

from __future__ import annotations

from typing import Any

from canonical.commands import RemoveSyncTarget
from canonical.errors import NotFound
from mdm.plugin_api import UnitOfWork
from sync.readiness import close_tasks

__all__ = ["handle"]


def handle(cmd: RemoveSyncTarget, uow: UnitOfWork) -> dict[str, Any]:
    if not uow.targets.remove(cmd.name):
        raise NotFound(f"no sync target '{cmd.name}'")
    close_tasks(uow, cmd.name, f"target {cmd.name} was removed", uow.clock.now())
    uow.audit.record(
        actor=cmd.actor,
        action="target_removed",
        target_id=None,
        detail={"target": cmd.name},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=uow.clock.now(),
    )
    return {"name": cmd.name, "removed": True}
