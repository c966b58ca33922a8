"""Steward tasks, merge events, not-a-match pairs, match decisions, labels and the audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import aliased

from mdm.db.repositories.base import AU, GR, MD, ME, ML, NM, ST, Repository, chunks, dicts, in_list

__all__ = [
    "AUDIT_SCAN_LIMIT",
    "AuditLog",
    "AuditPage",
    "AuditQuery",
    "Labels",
    "MatchDecisions",
    "MergeEvents",
    "NotAMatch",
    "TaskQuery",
    "Tasks",
]


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """Which tasks: every field set narrows the selection (None: any)."""

    entity_type: str | None = None
    status: str | None = None
    statuses: tuple[str, ...] | None = None
    kind: str | None = None
    kinds: tuple[str, ...] | None = None
    min_score: float | None = None
    max_score: float | None = None
    source: str | None = None
    assignee: str | None = None
    created_before: datetime | None = None


def _conditions(q: TaskQuery) -> list[Any]:
    c: list[Any] = []
    if q.entity_type:
        c.append(ST.c.entity_type == q.entity_type)
    if q.status:
        c.append(ST.c.status == q.status)
    if q.statuses is not None:
        c.append(ST.c.status.in_(q.statuses))
    if q.kind:
        c.append(ST.c.kind == q.kind)
    if q.kinds is not None:
        c.append(ST.c.kind.in_(q.kinds))
    if q.min_score is not None:
        c.append(ST.c.score >= q.min_score)
    if q.max_score is not None:
        c.append(ST.c.score <= q.max_score)
    if q.source:
        c.append(ST.c.source == q.source)
    if q.assignee:
        c.append(ST.c.assignee == q.assignee)
    if q.created_before is not None:
        c.append(ST.c.created_at <= q.created_before)
    return c


_QUEUE_ORDER = (ST.c.priority.desc(), ST.c.created_at, ST.c.id)

AUDIT_SCAN_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which audit entries: every field set narrows the selection (None: any).
    ``text`` is a substring of the reason; ``before`` an ``(at, id)`` cursor."""

    target_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    before: tuple[datetime, int] | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """``rows`` newest first; ``next`` the cursor of the following page (None: no more);
    ``partial`` when the reason search stopped at its scan window."""

    rows: list[dict[str, Any]]
    next: tuple[datetime, int] | None
    partial: bool


def _audit_conditions(q: AuditQuery) -> list[Any]:
    c: list[Any] = []
    for column, value in (
        (AU.c.target_id, q.target_id),
        (AU.c.actor, q.actor),
        (AU.c.action, q.action),
    ):
        if value:
            c.append(column == value)
    if q.since is not None:
        c.append(AU.c.at >= q.since)
    if q.until is not None:
        c.append(AU.c.at <= q.until)
    if q.before is not None:
        at, entry = q.before
        c.append(AU.c.at <= at)
        c.append(or_(AU.c.at < at, AU.c.id < entry))
    return c


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Tasks(Repository):
    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(ST, rows)

    def get(self, task_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(ST).where(ST.c.id == task_id)
        if lock and self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def count(self, q: TaskQuery) -> int:
        stmt = select(func.count()).select_from(ST).where(*_conditions(q))
        return int(self.conn.execute(stmt).scalar_one())

    def page(self, q: TaskQuery, *, limit: int, offset: int) -> list[dict[str, Any]]:
        """One page of the queue with both sides' attributes (``left_attrs``,
        ``right_attrs``), highest priority first, oldest first within a priority."""
        left, right = aliased(GR), aliased(GR)
        page = (
            select(ST.c.id)
            .where(*_conditions(q))
            .order_by(*_QUEUE_ORDER)
            .limit(limit)
            .offset(offset)
        ).subquery()
        stmt = (
            select(
                ST, left.c.attributes.label("left_attrs"), right.c.attributes.label("right_attrs")
            )
            .join(page, page.c.id == ST.c.id)
            .outerjoin(left, left.c.id == ST.c.golden_id)
            .outerjoin(right, right.c.id == ST.c.candidate_golden_id)
            .order_by(*_QUEUE_ORDER)
        )
        return list(dicts(self.conn.execute(stmt)))

    def ids(self, q: TaskQuery) -> list[str]:
        stmt = select(ST.c.id).where(and_(*_conditions(q))).order_by(*_QUEUE_ORDER)
        return [i for (i,) in self.conn.execute(stmt)]

    def set_status(
        self,
        task_id: str,
        *,
        status: str,
        from_statuses: Sequence[str],
        actor: str,
        reason: str | None,
        at: datetime,
    ) -> bool:
        """Compare-and-set: True when the task was in one of ``from_statuses``."""
        result = self.conn.execute(
            update(ST)
            .where(ST.c.id == task_id, ST.c.status.in_(list(from_statuses)))
            .values(status=status, decided_by=actor, decided_at=at, reason=reason, updated_at=at)
        )
        return bool(result.rowcount == 1)

    def assign(self, task_id: str, assignee: str | None, at: datetime) -> None:
        self.conn.execute(
            update(ST).where(ST.c.id == task_id).values(assignee=assignee, updated_at=at)
        )

    def proposed(self, kind: str, a: str, b: str) -> bool:
        """Whether a task of ``kind`` about the pair ``a``, ``b`` (either way) ever existed."""
        return self._pair(kind, a, b, statuses=None)

    def open_pair(self, kind: str, a: str, b: str) -> bool:
        """Whether an open (or deferred) task of ``kind`` is about the pair ``a``, ``b``."""
        return self._pair(kind, a, b, statuses=("open", "deferred"))

    def _pair(self, kind: str, a: str, b: str, *, statuses: tuple[str, ...] | None) -> bool:
        pair = or_(
            and_(ST.c.golden_id == a, ST.c.candidate_golden_id == b),
            and_(ST.c.golden_id == b, ST.c.candidate_golden_id == a),
        )
        stmt = select(ST.c.id).where(ST.c.kind == kind, pair).limit(1)
        if statuses is not None:
            stmt = stmt.where(ST.c.status.in_(statuses))
        return self.conn.execute(stmt).first() is not None

    def open_of_kind(self, kind: str, golden_ids: Sequence[str] | None) -> list[dict[str, Any]]:
        """The open (or deferred) tasks of ``kind``, of ``golden_ids`` only when given."""
        conds = [ST.c.kind == kind, ST.c.status.in_(("open", "deferred"))]
        if golden_ids is None:
            return list(dicts(self.conn.execute(select(ST).where(*conds))))
        out: list[dict[str, Any]] = []
        for part in chunks(list(golden_ids)):
            stmt = select(ST).where(*conds, in_list(self.dialect, ST.c.golden_id, part))
            out.extend(dict(r) for r in self.conn.execute(stmt).mappings())
        return out

    def set_explanation(self, task_id: str, explanation: Mapping[str, Any], at: datetime) -> None:
        self.conn.execute(
            update(ST)
            .where(ST.c.id == task_id)
            .values(explanation=dict(explanation), updated_at=at)
        )

    def open_goldens(self, kind: str, golden_ids: Sequence[str]) -> set[str]:
        """Which of ``golden_ids`` already have an open (or deferred) task of ``kind``."""
        found: set[str] = set()
        for part in chunks(list(golden_ids)):
            stmt = select(ST.c.golden_id).where(
                ST.c.kind == kind,
                ST.c.status.in_(("open", "deferred")),
                in_list(self.dialect, ST.c.golden_id, part),
            )
            found.update(g for (g,) in self.conn.execute(stmt))
        return found


class MatchDecisions(Repository):
    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(MD, rows)


class MergeEvents(Repository):
    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(ME, rows)

    def latest_open(self, survivor_id: str, merged_id: str) -> dict[str, Any] | None:
        """The latest merge of ``merged_id`` into ``survivor_id`` not yet undone."""
        stmt = (
            select(ME)
            .where(
                ME.c.survivor_id == survivor_id,
                ME.c.merged_id == merged_id,
                ME.c.undone_at.is_(None),
            )
            .order_by(ME.c.merged_at.desc())
            .limit(1)
        )
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def mark_undone(self, event_id: str, *, actor: str, at: datetime) -> None:
        self.conn.execute(
            update(ME).where(ME.c.id == event_id).values(undone_at=at, undone_by=actor)
        )


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


class NotAMatch(Repository):
    def get(self, entity_type: str, a: str, b: str) -> dict[str, Any] | None:
        left, right = _pair(a, b)
        stmt = select(NM).where(
            NM.c.entity_type == entity_type, NM.c.left_id == left, NM.c.right_id == right
        )
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def remember(
        self, entity_type: str, a: str, b: str, *, actor: str, reason: str, at: datetime
    ) -> None:
        if self.get(entity_type, a, b):
            return
        left, right = _pair(a, b)
        row = {"entity_type": entity_type, "left_id": left, "right_id": right}
        self._insert(NM, [row | {"actor": actor, "reason": reason, "created_at": at}])


class Labels(Repository):
    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(ML, rows)

    def of(self, entity_type: str) -> list[tuple[Any, Any, bool]]:
        """Every ``(left_record, right_record, is_match)`` label of ``entity_type``."""
        stmt = (
            select(ML.c.left_record, ML.c.right_record, ML.c.is_match)
            .where(ML.c.entity_type == entity_type)
            .order_by(ML.c.id)
        )
        return [(r.left_record, r.right_record, bool(r.is_match)) for r in self.conn.execute(stmt)]


class AuditLog(Repository):
    def record(
        self,
        *,
        actor: str,
        action: str,
        target_id: str | None,
        detail: Mapping[str, Any],
        reason: str | None,
        correlation_id: str | None,
        at: datetime,
    ) -> None:
        """One audit row: who did what to which record, why and when."""
        row = {"actor": actor, "action": action, "target_id": target_id, "detail": dict(detail)}
        self._insert(AU, [row | {"reason": reason, "correlation_id": correlation_id, "at": at}])

    def search(self, q: AuditQuery, *, limit: int, scan: int = AUDIT_SCAN_LIMIT) -> AuditPage:
        """Entries newest first (by ``at``, then id) after ``q.before``, at most ``limit``.

        Actor, action, target and the time range narrow the selection through indexes
        (``ix_audit_actor_at``, ``ix_audit_action_at``, ``ix_audit_at``). The text
        search on the reason (case-insensitive substring) cannot use an index, so it
        reads at most ``scan`` entries of that selection per call: when
        that window ends before ``limit`` matches were found the page is ``partial`` and
        ``next`` continues from the oldest entry read.
        """
        conds = _audit_conditions(q)
        order = (AU.c.at.desc(), AU.c.id.desc())
        if not q.text:
            stmt = select(AU).where(*conds).order_by(*order).limit(limit + 1)
            rows = list(dicts(self.conn.execute(stmt)))
            more = len(rows) > limit
            rows = rows[:limit]
            last = (rows[-1]["at"], rows[-1]["id"]) if more else None
            return AuditPage(rows, last, partial=False)
        window = (
            select(AU.c.id, AU.c.at, AU.c.reason)
            .where(*conds)
            .order_by(*order)
            .limit(scan)
            .subquery()
        )
        scanned = self.conn.execute(select(func.count()).select_from(window)).scalar_one()
        pattern = "%" + _escape_like(q.text.lower()) + "%"
        found = (
            select(window.c.id)
            .where(func.lower(window.c.reason).like(pattern, escape="\\"))
            .subquery()
        )
        stmt = select(AU).where(AU.c.id.in_(select(found.c.id))).order_by(*order).limit(limit + 1)
        rows = list(dicts(self.conn.execute(stmt)))
        if len(rows) > limit:
            rows = rows[:limit]
            return AuditPage(rows, (rows[-1]["at"], rows[-1]["id"]), partial=False)
        if scanned < scan:
            return AuditPage(rows, None, partial=False)
        return AuditPage(rows, self._last_in_window(conds, scan), partial=True)

    def _last_in_window(self, conds: list[Any], scan: int) -> tuple[datetime, int]:
        """The (at, id) of the last entry a full scan window read: the cursor after it."""
        stmt = (
            select(AU.c.at, AU.c.id)
            .where(*conds)
            .order_by(AU.c.at.desc(), AU.c.id.desc())
            .offset(scan - 1)
            .limit(1)
        )
        row = self.conn.execute(stmt).one()
        return row[0], int(row[1])
