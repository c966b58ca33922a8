"""Reads: the steward task queue, and one task with everything needed to decide it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical.commands import TaskSelection
from canonical.errors import NotFound
from canonical.privacy import is_personal_record, scrub
from canonical.survivorship import rules_for, survive
from canonical.timestamps import iso
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.tasks import display_name, task_query
from mdm.queries.golden import shown
from mdm.queries.task_compare import compared_sides, comparison

__all__ = ["get_task", "list_tasks"]


def _summary(row: Any, left: Any = None, right: Any = None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "entity_type": row["entity_type"],
        "status": row["status"],
        "priority": row["priority"],
        "score": row["score"],
        "source": row["source"],
        "assignee": row["assignee"],
        "golden_id": row["golden_id"],
        "candidate_golden_id": row["candidate_golden_id"],
        "left_name": display_name(left),
        "right_name": display_name(right),
        "created_at": iso(row["created_at"]),
        "decided_by": row["decided_by"],
        "decided_at": iso(row["decided_at"]),
        "reason": row["reason"],
    }


def list_tasks(
    uow: UnitOfWork, selection: TaskSelection, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of the queue, highest priority first, oldest first within a priority."""
    query = task_query(selection, now=uow.clock.now())
    rows = uow.tasks.page(query, limit=limit, offset=offset)
    return {
        "total": uow.tasks.count(query),
        "limit": limit,
        "offset": offset,
        "items": [_summary(r, r["left_attrs"], r["right_attrs"]) for r in rows],
    }


def _golden_side(book: GoldenBook, gid: str | None, pii: bool) -> dict[str, Any] | None:
    if gid is None or gid not in book.goldens:
        return None
    g = book.goldens[gid]
    return {
        "golden_id": g.id,
        "status": g.status,
        "merged_into": g.merged_into,
        "version": g.version,
        **shown(g.entity_type, g.attributes, g.lineage, pii),
        "xrefs": [
            {"source": m["source"], "source_id": m["source_id"], "record_version": m["version"]}
            for m in g.members.values()
        ],
    }


def _preview(book: GoldenBook, task: dict[str, Any], pii: bool) -> dict[str, Any]:
    """What the golden record would look like after the merge (nothing written)."""
    survivor = book.goldens[task["candidate_golden_id"]]
    members = [
        book.member_view(survivor, m)
        for gid in (task["candidate_golden_id"], task["golden_id"])
        for m in book.goldens[gid].members.values()
    ]
    attrs, lineage = survive(rules_for(task["entity_type"]), members)
    return shown(task["entity_type"], attrs, lineage, pii)


def get_task(
    uow: UnitOfWork, task_id: str, *, matcher: Matcher | None = None, pii: bool = False
) -> dict[str, Any]:
    """Both golden sides; the incoming record compared with the candidate's member it
    was scored against (``compared`` and ``comparison``, see
    :mod:`mdm.queries.task_compare`; without a ``matcher`` only equal raw values agree);
    the matcher's explanation; and a survivorship preview of the merge. Personal data
    masked unless ``pii``."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"no steward task '{task_id}'")
    book = GoldenBook(uow, correlation_id=None)
    ids = (task["golden_id"], task["candidate_golden_id"])
    book.load([i for i in ids if i], lock=False)
    book.resolve_refs()
    left = _golden_side(book, task["golden_id"], pii)
    right = _golden_side(book, task["candidate_golden_id"], pii)
    la = (left or {}).get("attributes", {})
    ra = (right or {}).get("attributes", {})
    sides = compared_sides(book, task, matcher)
    raw: list[Mapping[str, Any]] = [book.goldens[g].attributes for g in ids if g in book.goldens]
    raw += [s.attributes for s in sides if s is not None]
    personal = any(is_personal_record(task["entity_type"], side) for side in raw)
    explanation = task["explanation"] if pii or not personal else scrub(task["explanation"])
    conflicts = task["explanation"].get("conflicts") or {}
    return {
        **_summary(task, la, ra),
        "explanation": explanation,
        "settings_version": task["settings_version"],
        "left": left,
        "right": right,
        **comparison(
            task["entity_type"], sides, matcher, conflicts=conflicts, mask=personal and not pii
        ),
        "preview": _preview(book, task, pii) if left and right else None,
    }
