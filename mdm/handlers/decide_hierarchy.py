"""Use case: a steward approves a proposed hierarchy link between two organisations of one
group (a ``hierarchy_proposal`` task, opened where the matcher kept them apart as related,
not the same): one becomes the parent of the other.

The steward says which (``parent``); by default the one the hub held first, the task's
candidate. No source record says so: the parent is a steward's assertion
(:mod:`canonical.survivorship.asserted`), kept over survivorship on every later recompute,
shown in lineage with the task and the actor, and sent to targets with the child's new
version. A parent that would close a loop, or two records merged meanwhile, is a conflict
and the task stays open. Either verdict keeps the pair as a not-a-match label: the two are
different parties whether or not they share a tree.
"""

from __future__ import annotations

from typing import Any

from canonical.commands import DecideTask
from canonical.errors import Conflict, FieldError, InvalidInput
from canonical.survivorship.asserted import asserted_lineage
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.ingest.references import cycle
from mdm.domain.merging import load_active
from mdm.domain.tasks import HIERARCHY

__all__ = ["approve", "check_parent"]


def check_parent(task: dict[str, Any], parent: str | None) -> None:
    """``parent`` is only for hierarchy proposals, and names one of the task's two records."""
    if parent is None:
        return
    if task["kind"] != HIERARCHY:
        raise InvalidInput(
            "parent applies to hierarchy proposals only",
            [FieldError("/parent", f"a {task['kind']} task takes no parent", "invalid")],
        )
    if parent not in (task["golden_id"], task["candidate_golden_id"]):
        raise InvalidInput(
            "the parent must be one of the task's two golden records",
            [
                FieldError(
                    "/parent",
                    f"name {task['candidate_golden_id']} or {task['golden_id']}",
                    "enum",
                )
            ],
        )


def approve(cmd: DecideTask, uow: UnitOfWork, task: dict[str, Any], label: Any) -> dict[str, Any]:
    """Make ``cmd.parent`` (default: the task's candidate) the parent of the other record."""
    chosen = cmd.parent or task["candidate_golden_id"]
    other = (
        task["golden_id"] if chosen == task["candidate_golden_id"] else task["candidate_golden_id"]
    )
    parent, child = uow.goldens.survivor_of(chosen), uow.goldens.survivor_of(other)
    if parent == child:
        raise Conflict(f"'{chosen}' and '{other}' were merged into '{parent}': nothing to link")
    book = GoldenBook(uow, correlation_id=cmd.correlation_id)
    (g,) = load_active(book, task["entity_type"], [child])
    loop = cycle(book, child, parent)
    if loop is not None:
        raise Conflict(
            f"'{parent}' as the parent of '{child}' would make a hierarchy cycle "
            f"({' -> '.join([child, *loop])})"
        )
    now = uow.clock.now()
    entry = asserted_lineage(task_id=cmd.task_id, actor=cmd.actor, at=now.isoformat())
    g.asserted["parent"] = (parent, entry)
    book.resolve_refs()
    book.recompute(g, cause="hierarchy_asserted", membership_changed=False)
    label(uow, task, False, cmd.actor)
    book.flush()
    return {
        "task": cmd.task_id,
        "status": "approved",
        "parent": parent,
        "child": child,
        "version": g.version,
    }
