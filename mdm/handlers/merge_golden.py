"""Use case: merge golden records into a survivor.

A merge moves every source record of the merged golden records to the
survivor, re-points the key index, marks the merged records ``merged`` with
``merged_into`` (so their ids keep resolving), recomputes survivorship, and
recomputes every record that referred to the moved ones (children move under
the survivor; duplicate parent links collapse because both now resolve to the
same golden id). What moved is stored on a merge event, which is what an
unmerge reverses. Versions, outbox events and an audit row are written in the
same unit of work.
"""

from __future__ import annotations

from typing import Any

from canonical.commands import MergeGoldenRecords
from canonical.errors import Conflict, FieldError, InvalidInput
from canonical.states import GoldenStatus
from matching.port import Matcher
from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import new_id
from mdm.domain.merging import audit, load_active, reindex, require_reason
from mdm.domain.transactional.follow import follow_merge

__all__ = ["handle"]


def _check(cmd: MergeGoldenRecords) -> list[str]:
    merged_ids = list(dict.fromkeys(cmd.merged_ids))
    if not merged_ids:
        raise InvalidInput(
            "nothing to merge", [FieldError("/merged", "name at least one id", "required")]
        )
    if cmd.survivor_id in merged_ids:
        raise InvalidInput(
            "a record cannot be merged into itself",
            [FieldError("/merged", "the survivor is in the merged list", "invalid")],
        )
    return merged_ids


def handle(cmd: MergeGoldenRecords, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    """Merge ``cmd.merged_ids`` into ``cmd.survivor_id``; returns the survivor's new version."""
    reason = require_reason(cmd.reason)
    merged_ids = _check(cmd)
    book = GoldenBook(uow, correlation_id=cmd.correlation_id)
    survivor, *merged = load_active(book, cmd.entity_type, [cmd.survivor_id, *merged_ids])
    for m in merged:
        refused = uow.not_a_match.get(cmd.entity_type, survivor.id, m.id)
        if refused:
            raise Conflict(
                f"'{survivor.id}' and '{m.id}' were marked not-a-match by "
                f"{refused['actor']}: {refused['reason']}"
            )
    book.resolve_refs()
    moved_all: list[SourceRecord] = []
    events = []
    now = uow.clock.now()
    for m in merged:
        moved = [book.move(rid, m, survivor) for rid in list(m.members)]
        moved_all.extend(moved)
        keys = uow.keys.delete_of(cmd.entity_type, m.id)
        m.status, m.merged_into = GoldenStatus.MERGED, survivor.id
        book.record_status_change(m, cause="merged_into_survivor", change="merged")
        events.append(
            {
                "id": new_id(),
                "entity_type": cmd.entity_type,
                "survivor_id": survivor.id,
                "merged_id": m.id,
                "moved_records": [r["id"] for r in moved],
                "moved_keys": keys,
                "task_id": cmd.task_id,
                "actor": cmd.actor,
                "reason": reason,
                "correlation_id": cmd.correlation_id,
                "merged_at": now,
            }
        )
    reindex(book, matcher, survivor)
    follow_merge(book, survivor, [m.id for m in merged], moved_all)
    book.recompute(survivor, cause="merged", membership_changed=True)
    book.refresh_dependents(moved_all, cause="parent_merged")
    uow.merges.insert(events)
    detail = {"merged": merged_ids, "task_id": cmd.task_id, "moved_records": len(moved_all)}
    audit(book, actor=cmd.actor, action="merge", target=survivor.id, reason=reason, detail=detail)
    book.flush()
    return {
        "survivor": survivor.id,
        "merged": merged_ids,
        "version": survivor.version,
        "merge_events": [e["id"] for e in events],
    }
