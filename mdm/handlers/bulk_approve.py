"""Use case: approve every open match review a selection holds, if there are exactly as
many as the steward saw and confirmed.

Only match reviews: an identifier conflict says that two strong identifiers (tax ids,
registration numbers) disagree, so each one needs a steward's own look, never a batch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from canonical.commands import BulkApproveTasks, DecideTask
from canonical.errors import Conflict, FieldError, InvalidInput
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.tasks import task_query
from mdm.handlers import decide_task

__all__ = ["BULK_KINDS", "handle"]

BULK_KINDS = ("match_review",)


def handle(cmd: BulkApproveTasks, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    """422 for a selection of another kind (nothing written); 409 when the selection
    no longer holds ``expected_count`` tasks."""
    if cmd.selection.kind and cmd.selection.kind not in BULK_KINDS:
        raise InvalidInput(
            "bulk approve takes match reviews only",
            [FieldError("/kind", "bulk approve takes kind match_review only", "enum")],
        )
    selection = replace(cmd.selection, status="open")
    ids = uow.tasks.ids(task_query(selection, now=uow.clock.now(), kinds=BULK_KINDS))
    if len(ids) != cmd.expected_count:
        raise Conflict(
            f"the filter now selects {len(ids)} match reviews, not {cmd.expected_count};"
            " review the list again"
        )
    for task_id in ids:
        approve = DecideTask(task_id, "approve", cmd.actor, cmd.reason, cmd.correlation_id)
        decide_task.handle(approve, uow, matcher=matcher)
    return {"approved": len(ids), "tasks": ids}
