"""Use case: undo a merge exactly.

The latest merge of the named record into the survivor is reversed: the same
source records go back, the merged id is active again, the key index and
survivorship of both follow, and records that referred to the moved ones are
recomputed (children go back under their own parent).
"""

from __future__ import annotations

from typing import Any

from canonical.commands import UnmergeGoldenRecord
from canonical.errors import Conflict, NotFound
from canonical.states import GoldenStatus
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.merging import audit, reindex, require_reason
from mdm.domain.transactional.follow import follow_unmerge

__all__ = ["handle"]


def handle(cmd: UnmergeGoldenRecord, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    reason = require_reason(cmd.reason)
    event = uow.merges.latest_open(cmd.survivor_id, cmd.merged_id)
    if event is None:
        raise NotFound(f"no merge of '{cmd.merged_id}' into '{cmd.survivor_id}' to undo")
    book = GoldenBook(uow, correlation_id=cmd.correlation_id)
    book.load([cmd.survivor_id, cmd.merged_id])
    survivor, merged = book.goldens.get(cmd.survivor_id), book.goldens.get(cmd.merged_id)
    if survivor is None or merged is None or survivor.entity_type != cmd.entity_type:
        raise NotFound(
            f"no {cmd.entity_type} golden records '{cmd.survivor_id}' and '{cmd.merged_id}'"
        )
    if merged.status != GoldenStatus.MERGED or merged.merged_into != cmd.survivor_id:
        raise Conflict(f"'{cmd.merged_id}' is not merged into '{cmd.survivor_id}' any more")
    if survivor.status != GoldenStatus.ACTIVE:
        raise Conflict(
            f"'{cmd.survivor_id}' was merged into '{survivor.merged_into}'; undo that merge first"
        )
    book.resolve_refs()
    back = [
        book.move(rid, survivor, merged)
        for rid in event["moved_records"]
        if rid in survivor.members
    ]
    merged.status, merged.merged_into = GoldenStatus.ACTIVE, None
    reindex(book, matcher, merged)
    reindex(book, matcher, survivor)
    follow_unmerge(book, survivor, merged, back)
    book.recompute(merged, cause="unmerged", membership_changed=True, change="unmerged")
    book.recompute(survivor, cause="unmerged", membership_changed=True)
    book.refresh_dependents(back, cause="parent_unmerged")
    uow.merges.mark_undone(event["id"], actor=cmd.actor, at=uow.clock.now())
    detail = {"merged": cmd.merged_id, "merge_event": event["id"], "moved_back": len(back)}
    audit(book, actor=cmd.actor, action="unmerge", target=survivor.id, reason=reason, detail=detail)
    book.flush()
    return {
        "survivor": cmd.survivor_id,
        "restored": cmd.merged_id,
        "survivor_version": survivor.version,
        "restored_version": merged.version,
        "moved_back": [r["source_id"] for r in back],
    }
