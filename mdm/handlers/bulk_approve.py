"""Use case: approve every open match review a selection holds, if there are exactly as
many as the steward saw and confirmed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from canonical.commands import BulkApproveTasks, DecideTask
from canonical.errors import Conflict
from matching.port import Matcher
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork
from mdm.domain.tasks import MERGEABLE, task_query
from mdm.handlers import decide_task

__all__ = ["handle"]


def handle(cmd: BulkApproveTasks, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    selection = replace(cmd.selection, status="open")
    ids = uow.tasks.ids(task_query(selection, now=utcnow(), kinds=MERGEABLE))
    if len(ids) != cmd.expected_count:
        raise Conflict(
            f"the filter now selects {len(ids)} tasks, not {cmd.expected_count};"
            " review the list again"
        )
    for task_id in ids:
        approve = DecideTask(task_id, "approve", cmd.actor, cmd.reason, cmd.correlation_id)
        decide_task.handle(approve, uow, matcher=matcher)
    return {"approved": len(ids), "tasks": ids}
