"""Use case: a steward decides a task: approve, reject, defer or resolve.

Deciding is a compare-and-set on the task's status, so when two stewards decide
the same task at once exactly one succeeds and the other gets a conflict.
Approving a match review merges the record's golden record into the candidate;
rejecting it remembers the pair as not-a-match. Both keep the pair as a label
the matcher learns from.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from canonical.commands import DecideTask, MergeGoldenRecords
from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from canonical.states import TaskStatus
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.tasks import HIERARCHY, OPEN
from mdm.handlers import decide_hierarchy, merge_golden

__all__ = ["decide", "handle"]

_STATUS = {
    "approve": TaskStatus.APPROVED,
    "reject": TaskStatus.REJECTED,
    "defer": TaskStatus.DEFERRED,
    "resolve": TaskStatus.RESOLVED,
}
_DEFAULT_REASON = {"approve": "approved match", "reject": "not a match"}


def decide(
    uow: UnitOfWork, cmd: DecideTask, *, from_statuses: tuple[str, ...] = OPEN
) -> dict[str, Any]:
    """Move the task to the verdict's status (if it is still undecided) and audit it;
    returns the task as it was."""
    status = _STATUS[cmd.verdict]
    task = uow.tasks.get(cmd.task_id, lock=True)
    if task is None:
        raise NotFound(f"no steward task '{cmd.task_id}'")
    now = uow.clock.now()
    moved = uow.tasks.set_status(
        cmd.task_id,
        status=status,
        from_statuses=from_statuses,
        actor=cmd.actor,
        reason=cmd.reason,
        at=now,
    )
    if not moved:
        current = uow.tasks.get(cmd.task_id) or task
        raise Conflict(
            f"task '{cmd.task_id}' was already {current['status']} by "
            f"{current['decided_by'] or 'someone else'}"
        )
    uow.audit.record(
        actor=cmd.actor,
        action=f"task_{status}",
        target_id=cmd.task_id,
        detail={"kind": task["kind"]},
        reason=cmd.reason,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return task


def _label(uow: UnitOfWork, task: dict[str, Any], is_match: bool, actor: str) -> None:
    """Keep the decided pair (both golden records as they are now) for training."""
    ids = [i for i in (task["golden_id"], task["candidate_golden_id"]) if i]
    if len(ids) != 2:
        return
    attrs = uow.goldens.attributes_of(ids)
    uow.labels.insert(
        [
            {
                "entity_type": task["entity_type"],
                "left_record": attrs.get(ids[0], {}),
                "right_record": attrs.get(ids[1], {}),
                "is_match": is_match,
                "task_id": task["id"],
                "actor": actor,
                "created_at": uow.clock.now(),
            }
        ]
    )


def _approve(cmd: DecideTask, uow: UnitOfWork, matcher: Matcher) -> dict[str, Any]:
    task = decide(uow, cmd)
    if not (task["golden_id"] and task["candidate_golden_id"]):
        raise Conflict(
            f"task '{cmd.task_id}' ({task['kind']}) has no pair to merge; resolve it instead"
        )
    survivor = uow.goldens.survivor_of(task["candidate_golden_id"])
    merged = uow.goldens.survivor_of(task["golden_id"])
    _label(uow, task, True, cmd.actor)
    if survivor == merged:
        return {"task": cmd.task_id, "status": "approved", "survivor": survivor, "merged": []}
    merge = MergeGoldenRecords(
        entity_type=task["entity_type"],
        survivor_id=survivor,
        merged_ids=(merged,),
        actor=cmd.actor,
        reason=cmd.reason,
        correlation_id=cmd.correlation_id,
        task_id=cmd.task_id,
    )
    out = merge_golden.handle(merge, uow, matcher=matcher)
    return {"task": cmd.task_id, "status": "approved", **out}


def _reject(cmd: DecideTask, uow: UnitOfWork) -> dict[str, Any]:
    task = decide(uow, cmd)
    if task["golden_id"] and task["candidate_golden_id"]:
        uow.not_a_match.remember(
            task["entity_type"],
            task["golden_id"],
            task["candidate_golden_id"],
            actor=cmd.actor,
            reason=cmd.reason or "",
            at=uow.clock.now(),
        )
        _label(uow, task, False, cmd.actor)
    return {"task": cmd.task_id, "status": "rejected"}


def handle(cmd: DecideTask, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    reason = (cmd.reason or "").strip() or _DEFAULT_REASON.get(cmd.verdict)
    cmd = replace(cmd, reason=reason)
    peek = uow.tasks.get(cmd.task_id)
    if peek is not None:
        decide_hierarchy.check_parent(peek, cmd.parent if cmd.verdict == "approve" else None)
    if cmd.parent is not None and cmd.verdict != "approve":
        raise InvalidInput(
            "parent goes with approve only",
            [FieldError("/parent", f"{cmd.verdict} takes no parent", "invalid")],
        )
    if cmd.verdict == "approve" and peek is not None and peek["kind"] == HIERARCHY:
        return decide_hierarchy.approve(cmd, uow, decide(uow, cmd), _label)
    if cmd.verdict == "approve":
        return _approve(cmd, uow, matcher)
    if cmd.verdict == "reject":
        return _reject(cmd, uow)
    # a deferred task can be resolved or decided later, but not deferred again
    from_statuses = ("open",) if cmd.verdict == "defer" else OPEN
    decide(uow, cmd, from_statuses=from_statuses)
    return {"task": cmd.task_id, "status": _STATUS[cmd.verdict]}
