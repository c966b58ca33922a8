"""Use cases: the steward task queue and its decisions.

Deciding a task is a compare-and-set on its status, so when two stewards
decide the same task at once exactly one succeeds and the other gets a
conflict. Approving a match review merges the record's golden record into the
candidate; rejecting it remembers the pair as not-a-match and keeps a labelled
pair for the matcher.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import aliased

from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from canonical.survivorship import rules_for, survive
from matching.port import Matcher
from mdm.db.repository import GR, ST
from mdm.db.tables import MatchLabelRow
from mdm.db.types import utcnow
from mdm.services.golden import GoldenBook
from mdm.services.merge import merge_golden, remember_not_a_match
from mdm.services.uow import UnitOfWork

__all__ = [
    "TaskFilter",
    "approve_task",
    "assign_task",
    "bulk_approve",
    "defer_task",
    "get_task",
    "list_tasks",
    "reject_task",
]

ML = MatchLabelRow.__table__  # type: ignore[attr-defined]
OPEN = ("open", "deferred")
MERGEABLE = ("match_review", "identifier_conflict")
STATUSES = ("open", "deferred", "approved", "rejected", "resolved")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class TaskFilter:
    def __init__(
        self,
        *,
        entity_type: str | None = None,
        status: str | None = "open",
        kind: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        source: str | None = None,
        assignee: str | None = None,
        older_than_hours: float | None = None,
    ) -> None:
        if status and status not in STATUSES:
            raise InvalidInput(
                "unknown status",
                [FieldError("/status", f"status must be one of {', '.join(STATUSES)}", "enum")],
            )
        self.entity_type, self.status, self.kind = entity_type, status, kind
        self.min_score, self.max_score = min_score, max_score
        self.source, self.assignee, self.older_than_hours = source, assignee, older_than_hours

    def conditions(self) -> list[Any]:
        c: list[Any] = []
        if self.entity_type:
            c.append(ST.c.entity_type == self.entity_type)
        if self.status:
            c.append(ST.c.status == self.status)
        if self.kind:
            c.append(ST.c.kind == self.kind)
        if self.min_score is not None:
            c.append(ST.c.score >= self.min_score)
        if self.max_score is not None:
            c.append(ST.c.score <= self.max_score)
        if self.source:
            c.append(ST.c.source == self.source)
        if self.assignee:
            c.append(ST.c.assignee == self.assignee)
        if self.older_than_hours is not None:
            c.append(ST.c.created_at <= utcnow() - timedelta(hours=self.older_than_hours))
        return c


def _name(attrs: dict[str, Any] | None) -> str | None:
    if not attrs:
        return None
    if attrs.get("name"):
        return str(attrs["name"])
    full = " ".join(str(attrs[k]) for k in ("first_name", "last_name") if attrs.get(k))
    return full or attrs.get("sku")


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
        "left_name": _name(left),
        "right_name": _name(right),
        "created_at": _iso(row["created_at"]),
        "decided_by": row["decided_by"],
        "decided_at": _iso(row["decided_at"]),
        "reason": row["reason"],
    }


def list_tasks(
    uow: UnitOfWork, flt: TaskFilter, *, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of the queue, highest priority first, oldest first within a priority."""
    conds = flt.conditions()
    total = uow.conn.execute(select(func.count()).select_from(ST).where(*conds)).scalar_one()
    left, right = aliased(GR), aliased(GR)
    page = (
        select(ST.c.id)
        .where(*conds)
        .order_by(ST.c.priority.desc(), ST.c.created_at, ST.c.id)
        .limit(limit)
        .offset(offset)
    ).subquery()
    stmt = (
        select(ST, left.c.attributes.label("left_attrs"), right.c.attributes.label("right_attrs"))
        .join(page, page.c.id == ST.c.id)
        .outerjoin(left, left.c.id == ST.c.golden_id)
        .outerjoin(right, right.c.id == ST.c.candidate_golden_id)
        .order_by(ST.c.priority.desc(), ST.c.created_at, ST.c.id)
    )
    rows = uow.conn.execute(stmt).mappings().all()
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [_summary(r, r["left_attrs"], r["right_attrs"]) for r in rows],
    }


def _task(uow: UnitOfWork, task_id: str, *, lock: bool = False) -> dict[str, Any]:
    stmt = select(ST).where(ST.c.id == task_id)
    if lock and uow.repo.dialect == "postgresql":
        stmt = stmt.with_for_update()
    row = uow.conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(f"no steward task '{task_id}'")
    return dict(row)


def _golden_side(book: GoldenBook, gid: str | None) -> dict[str, Any] | None:
    if gid is None or gid not in book.goldens:
        return None
    g = book.goldens[gid]
    return {
        "golden_id": g.id,
        "status": g.status,
        "merged_into": g.merged_into,
        "version": g.version,
        "attributes": g.attributes,
        "lineage": g.lineage,
        "xrefs": [
            {"source": m["source"], "source_id": m["source_id"], "record_version": m["version"]}
            for m in g.members.values()
        ],
    }


def get_task(uow: UnitOfWork, task_id: str) -> dict[str, Any]:
    """Both sides attribute by attribute, the matcher's explanation, and what the golden
    record would look like after the merge (survivorship preview, nothing written)."""
    task = _task(uow, task_id)
    book = GoldenBook(uow.repo, correlation_id=None)
    ids = [i for i in (task["golden_id"], task["candidate_golden_id"]) if i]
    book.load(ids, lock=False)
    book.resolve_refs()
    left, right = (
        _golden_side(book, task["golden_id"]),
        _golden_side(book, task["candidate_golden_id"]),
    )
    la = (left or {}).get("attributes", {})
    ra = (right or {}).get("attributes", {})
    comparison = [
        {"attribute": a, "left": la.get(a), "right": ra.get(a), "same": la.get(a) == ra.get(a)}
        for a in sorted(set(la) | set(ra))
    ]
    preview = None
    if left and right:
        members = [
            book.member_view(book.goldens[task["candidate_golden_id"]], m)
            for gid in (task["candidate_golden_id"], task["golden_id"])
            for m in book.goldens[gid].members.values()
        ]
        attrs, lineage = survive(rules_for(task["entity_type"]), members)
        preview = {"attributes": attrs, "lineage": lineage}
    return {
        **_summary(task, la, ra),
        "explanation": task["explanation"],
        "settings_version": task["settings_version"],
        "left": left,
        "right": right,
        "comparison": comparison,
        "preview": preview,
    }


def _decide(
    uow: UnitOfWork,
    task_id: str,
    status: str,
    actor: str,
    reason: str | None,
    *,
    from_statuses: tuple[str, ...] = OPEN,
) -> dict[str, Any]:
    task = _task(uow, task_id, lock=True)
    result = uow.conn.execute(
        update(ST)
        .where(ST.c.id == task_id, ST.c.status.in_(from_statuses))
        .values(
            status=status, decided_by=actor, decided_at=utcnow(), reason=reason, updated_at=utcnow()
        )
    )
    if result.rowcount != 1:
        current = _task(uow, task_id)
        raise Conflict(
            f"task '{task_id}' was already {current['status']} by "
            f"{current['decided_by'] or 'someone else'}"
        )
    _audit(uow, actor, f"task_{status}", task_id, reason, {"kind": task["kind"]})
    return task


def _audit(
    uow: UnitOfWork,
    actor: str,
    action: str,
    task_id: str,
    reason: str | None,
    detail: dict[str, Any],
) -> None:
    uow.repo.audit(
        [
            {
                "actor": actor,
                "action": action,
                "target_id": task_id,
                "detail": detail,
                "reason": reason,
                "correlation_id": None,
                "at": utcnow(),
            }
        ]
    )


def _current(uow: UnitOfWork, gid: str) -> str:
    """Follow merges to the golden record that now stands for ``gid``."""
    for _ in range(50):
        row = uow.repo.golden(gid)
        if row is None or row["status"] != "merged" or not row["merged_into"]:
            return gid
        gid = row["merged_into"]
    return gid


def _label(uow: UnitOfWork, task: dict[str, Any], is_match: bool, actor: str) -> None:
    ids = [i for i in (task["golden_id"], task["candidate_golden_id"]) if i]
    if len(ids) != 2:
        return
    rows = {
        r["id"]: r["attributes"]
        for r in uow.conn.execute(
            select(GR.c.id, GR.c.attributes).where(GR.c.id.in_(ids))
        ).mappings()
    }
    uow.conn.execute(
        insert(ML),
        [
            {
                "entity_type": task["entity_type"],
                "left_record": rows.get(ids[0], {}),
                "right_record": rows.get(ids[1], {}),
                "is_match": is_match,
                "task_id": task["id"],
                "actor": actor,
                "created_at": utcnow(),
            }
        ],
    )


def approve_task(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    task_id: str,
    actor: str,
    reason: str | None,
    correlation_id: str | None,
) -> dict[str, Any]:
    reason = (reason or "").strip() or "approved match"
    task = _decide(uow, task_id, "approved", actor, reason)
    if not (task["golden_id"] and task["candidate_golden_id"]):
        raise Conflict(
            f"task '{task_id}' ({task['kind']}) has no pair to merge; resolve it instead"
        )
    survivor, merged = _current(uow, task["candidate_golden_id"]), _current(uow, task["golden_id"])
    _label(uow, task, True, actor)
    if survivor == merged:
        return {"task": task_id, "status": "approved", "survivor": survivor, "merged": []}
    out = merge_golden(
        uow,
        matcher,
        entity_type=task["entity_type"],
        survivor_id=survivor,
        merged_ids=[merged],
        actor=actor,
        reason=reason,
        correlation_id=correlation_id,
        task_id=task_id,
    )
    return {"task": task_id, "status": "approved", **out}


def reject_task(uow: UnitOfWork, *, task_id: str, actor: str, reason: str | None) -> dict[str, Any]:
    reason = (reason or "").strip() or "not a match"
    task = _decide(uow, task_id, "rejected", actor, reason)
    if task["golden_id"] and task["candidate_golden_id"]:
        remember_not_a_match(
            uow,
            task["entity_type"],
            task["golden_id"],
            task["candidate_golden_id"],
            actor=actor,
            reason=reason,
        )
        _label(uow, task, False, actor)
    return {"task": task_id, "status": "rejected"}


def defer_task(uow: UnitOfWork, *, task_id: str, actor: str, reason: str | None) -> dict[str, Any]:
    _decide(uow, task_id, "deferred", actor, reason, from_statuses=("open",))
    return {"task": task_id, "status": "deferred"}


def resolve_task(
    uow: UnitOfWork, *, task_id: str, actor: str, reason: str | None
) -> dict[str, Any]:
    """Close a rule-breach task once the data has been fixed at its source."""
    _decide(uow, task_id, "resolved", actor, reason)
    return {"task": task_id, "status": "resolved"}


def assign_task(
    uow: UnitOfWork, *, task_id: str, assignee: str | None, actor: str
) -> dict[str, Any]:
    _task(uow, task_id)
    uow.conn.execute(
        update(ST).where(ST.c.id == task_id).values(assignee=assignee or None, updated_at=utcnow())
    )
    _audit(uow, actor, "task_assigned", task_id, None, {"assignee": assignee or None})
    return {"task": task_id, "assignee": assignee or None}


def bulk_approve(
    uow: UnitOfWork,
    matcher: Matcher,
    flt: TaskFilter,
    *,
    expected_count: int,
    actor: str,
    reason: str | None,
    correlation_id: str | None,
) -> dict[str, Any]:
    """Approve every open match review the filter selects, if there are exactly
    ``expected_count`` of them (the number the steward saw and confirmed)."""
    flt.status = "open"
    conds = [*flt.conditions(), ST.c.kind.in_(MERGEABLE)]  # a kind filter narrows this
    ids = [
        i
        for (i,) in uow.conn.execute(
            select(ST.c.id).where(and_(*conds)).order_by(ST.c.priority.desc(), ST.c.created_at)
        )
    ]
    if len(ids) != expected_count:
        raise Conflict(
            f"the filter now selects {len(ids)} tasks, not {expected_count}; review the list again"
        )
    results = [
        approve_task(
            uow, matcher, task_id=i, actor=actor, reason=reason, correlation_id=correlation_id
        )
        for i in ids
    ]
    return {"approved": len(results), "tasks": ids}
