"""Use cases: merge golden records, undo a merge exactly, split a record out.

A merge moves every source record of the merged golden records to the
survivor, re-points the key index, marks the merged records ``merged`` with
``merged_into`` (so their ids keep resolving), recomputes survivorship, and
recomputes every record that referred to the moved ones (children move under
the survivor; duplicate parent links collapse because both now resolve to the
same golden id). What moved is stored on a merge event, which is what an
unmerge reverses. Every step writes versions, outbox events and an audit row in
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update

from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from matching.port import Matcher
from mdm.db.tables import MergeEventRow, NotAMatchRow
from mdm.db.types import utcnow
from mdm.services.golden import GoldenBook, GoldenState, new_id
from mdm.services.uow import UnitOfWork

__all__ = ["merge_golden", "not_a_match_pair", "split_record", "unmerge_golden"]

ME = MergeEventRow.__table__  # type: ignore[attr-defined]
NM = NotAMatchRow.__table__  # type: ignore[attr-defined]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def not_a_match_pair(uow: UnitOfWork, entity_type: str, a: str, b: str) -> dict[str, Any] | None:
    left, right = _pair(a, b)
    row = (
        uow.conn.execute(
            select(NM).where(
                NM.c.entity_type == entity_type, NM.c.left_id == left, NM.c.right_id == right
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def remember_not_a_match(
    uow: UnitOfWork, entity_type: str, a: str, b: str, *, actor: str, reason: str
) -> None:
    if not_a_match_pair(uow, entity_type, a, b):
        return
    left, right = _pair(a, b)
    uow.conn.execute(
        insert(NM),
        [
            {
                "entity_type": entity_type,
                "left_id": left,
                "right_id": right,
                "actor": actor,
                "reason": reason,
                "created_at": utcnow(),
            }
        ],
    )


def _reindex(book: GoldenBook, matcher: Matcher, g: GoldenState) -> None:
    book.repo.delete_keys_of(g.entity_type, g.id)
    keys = {k for m in g.members.values() for k in matcher.keys(g.entity_type, m["payload"])}
    book.repo.insert_keys(
        [{"entity_type": g.entity_type, "key": k, "golden_id": g.id} for k in sorted(keys)]
    )


def _audit(
    book: GoldenBook,
    actor: str,
    action: str,
    target: str,
    reason: str | None,
    detail: dict[str, Any],
) -> None:
    book.repo.audit(
        [
            {
                "actor": actor,
                "action": action,
                "target_id": target,
                "detail": detail,
                "reason": reason,
                "correlation_id": book.correlation_id,
                "at": utcnow(),
            }
        ]
    )


def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidInput(
            "a reason is required", [FieldError("/reason", "give a reason", "required")]
        )
    return reason.strip()[:1000]


def _load_active(book: GoldenBook, entity_type: str, ids: Sequence[str]) -> list[GoldenState]:
    book.load(ids)
    out = []
    for gid in ids:
        g = book.goldens.get(gid)
        if g is None or g.entity_type != entity_type:
            raise NotFound(f"no {entity_type} golden record '{gid}'")
        if g.status != "active":
            raise Conflict(f"golden record '{gid}' was already merged into '{g.merged_into}'")
        out.append(g)
    return out


def merge_golden(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    entity_type: str,
    survivor_id: str,
    merged_ids: Sequence[str],
    actor: str,
    reason: str | None,
    correlation_id: str | None,
    task_id: str | None = None,
) -> dict[str, Any]:
    """Merge ``merged_ids`` into ``survivor_id``; returns the survivor's new version."""
    reason = _require_reason(reason)
    merged_ids = list(dict.fromkeys(merged_ids))
    if not merged_ids:
        raise InvalidInput(
            "nothing to merge", [FieldError("/merged", "name at least one id", "required")]
        )
    if survivor_id in merged_ids:
        raise InvalidInput(
            "a record cannot be merged into itself",
            [FieldError("/merged", "the survivor is in the merged list", "invalid")],
        )
    book = GoldenBook(uow.repo, correlation_id=correlation_id)
    survivor, *merged = _load_active(book, entity_type, [survivor_id, *merged_ids])
    for m in merged:
        refused = not_a_match_pair(uow, entity_type, survivor.id, m.id)
        if refused:
            raise Conflict(
                f"'{survivor.id}' and '{m.id}' were marked not-a-match by "
                f"{refused['actor']}: {refused['reason']}"
            )
    book.resolve_refs()
    moved_all: list[dict[str, Any]] = []
    events = []
    now = utcnow()
    for m in merged:
        moved = [book.move(rid, m, survivor) for rid in list(m.members)]
        moved_all.extend(moved)
        keys = uow.repo.delete_keys_of(entity_type, m.id)
        m.status, m.merged_into = "merged", survivor.id
        book.record_status_change(m, cause="merged_into_survivor", change="merged")
        events.append(
            {
                "id": new_id(),
                "entity_type": entity_type,
                "survivor_id": survivor.id,
                "merged_id": m.id,
                "moved_records": [r["id"] for r in moved],
                "moved_keys": keys,
                "task_id": task_id,
                "actor": actor,
                "reason": reason,
                "correlation_id": correlation_id,
                "merged_at": now,
            }
        )
    _reindex(book, matcher, survivor)
    book.recompute(survivor, cause="merged", membership_changed=True)
    book.refresh_dependents(moved_all, cause="parent_merged")
    uow.conn.execute(insert(ME), events)
    _audit(
        book,
        actor,
        "merge",
        survivor.id,
        reason,
        {"merged": merged_ids, "task_id": task_id, "moved_records": len(moved_all)},
    )
    book.flush()
    return {
        "survivor": survivor.id,
        "merged": merged_ids,
        "version": survivor.version,
        "merge_events": [e["id"] for e in events],
    }


def unmerge_golden(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    entity_type: str,
    survivor_id: str,
    merged_id: str,
    actor: str,
    reason: str | None,
    correlation_id: str | None,
) -> dict[str, Any]:
    """Undo the latest merge of ``merged_id`` into ``survivor_id``: the same source
    records go back, the merged id is active again, survivorship and hierarchy follow."""
    reason = _require_reason(reason)
    event = (
        uow.conn.execute(
            select(ME)
            .where(
                ME.c.survivor_id == survivor_id,
                ME.c.merged_id == merged_id,
                ME.c.undone_at.is_(None),
            )
            .order_by(ME.c.merged_at.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if event is None:
        raise NotFound(f"no merge of '{merged_id}' into '{survivor_id}' to undo")
    book = GoldenBook(uow.repo, correlation_id=correlation_id)
    book.load([survivor_id, merged_id])
    survivor, merged = book.goldens.get(survivor_id), book.goldens.get(merged_id)
    if survivor is None or merged is None or survivor.entity_type != entity_type:
        raise NotFound(f"no {entity_type} golden records '{survivor_id}' and '{merged_id}'")
    if merged.status != "merged" or merged.merged_into != survivor_id:
        raise Conflict(f"'{merged_id}' is not merged into '{survivor_id}' any more")
    if survivor.status != "active":
        raise Conflict(
            f"'{survivor_id}' was merged into '{survivor.merged_into}'; undo that merge first"
        )
    book.resolve_refs()
    back = [
        book.move(rid, survivor, merged)
        for rid in event["moved_records"]
        if rid in survivor.members
    ]
    merged.status, merged.merged_into = "active", None
    _reindex(book, matcher, merged)
    _reindex(book, matcher, survivor)
    book.recompute(merged, cause="unmerged", membership_changed=True, change="unmerged")
    book.recompute(survivor, cause="unmerged", membership_changed=True)
    book.refresh_dependents(back, cause="parent_unmerged")
    uow.conn.execute(
        update(ME).where(ME.c.id == event["id"]).values(undone_at=utcnow(), undone_by=actor)
    )
    _audit(
        book,
        actor,
        "unmerge",
        survivor_id,
        reason,
        {"merged": merged_id, "merge_event": event["id"], "moved_back": len(back)},
    )
    book.flush()
    return {
        "survivor": survivor_id,
        "restored": merged_id,
        "survivor_version": survivor.version,
        "restored_version": merged.version,
        "moved_back": [r["source_id"] for r in back],
    }


def split_record(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    entity_type: str,
    golden_id: str,
    source: str,
    source_id: str,
    actor: str,
    reason: str | None,
    correlation_id: str | None,
) -> dict[str, Any]:
    """Take one source record out of a golden record into a golden record of its own,
    and remember the pair as not-a-match so it is not merged back."""
    reason = _require_reason(reason)
    book = GoldenBook(uow.repo, correlation_id=correlation_id)
    [g] = _load_active(book, entity_type, [golden_id])
    rid = next(
        (
            r["id"]
            for r in g.members.values()
            if r["source"] == source and r["source_id"] == source_id
        ),
        None,
    )
    if rid is None:
        raise NotFound(f"'{source}/{source_id}' is not a source record of '{golden_id}'")
    if len(g.members) == 1:
        raise Conflict(f"'{source}/{source_id}' is the only source record of '{golden_id}'")
    book.resolve_refs()
    new = book.create(entity_type)
    moved = book.move(rid, g, new)
    _reindex(book, matcher, g)
    _reindex(book, matcher, new)
    book.recompute(new, cause="split_out", membership_changed=True)
    book.recompute(g, cause="record_split", membership_changed=True)
    book.refresh_dependents([moved], cause="parent_split")
    remember_not_a_match(uow, entity_type, g.id, new.id, actor=actor, reason=reason)
    _audit(
        book,
        actor,
        "split",
        g.id,
        reason,
        {"record": f"{source}/{source_id}", "new_golden_id": new.id},
    )
    book.flush()
    return {
        "golden_id": g.id,
        "version": g.version,
        "new_golden_id": new.id,
        "new_version": new.version,
    }
