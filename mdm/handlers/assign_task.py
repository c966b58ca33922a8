"""Use case: give a steward task to someone (or to nobody)."""

from __future__ import annotations

from typing import Any

from canonical.commands import AssignTask
from canonical.errors import NotFound
from mdm.db.uow import UnitOfWork

__all__ = ["handle"]


def handle(cmd: AssignTask, uow: UnitOfWork) -> dict[str, Any]:
    if uow.tasks.get(cmd.task_id) is None:
        raise NotFound(f"no steward task '{cmd.task_id}'")
    now = uow.clock.now()
    assignee = cmd.assignee or None
    uow.tasks.assign(cmd.task_id, assignee, now)
    uow.audit.record(
        actor=cmd.actor,
        action="task_assigned",
        target_id=cmd.task_id,
        detail={"assignee": assignee},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {"task": cmd.task_id, "assignee": assignee}
