"""Use case: take one source record out of a golden record into a golden record of its
own, and remember the pair as not-a-match so it is not merged back."""

from __future__ import annotations

from typing import Any

from canonical.commands import SplitSourceRecord
from canonical.errors import Conflict, NotFound
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.merging import audit, load_active, reindex, require_reason
from mdm.domain.transactional.follow import follow_split

__all__ = ["handle"]


def handle(cmd: SplitSourceRecord, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    reason = require_reason(cmd.reason)
    book = GoldenBook(uow, correlation_id=cmd.correlation_id)
    [g] = load_active(book, cmd.entity_type, [cmd.golden_id])
    rid = next(
        (
            r["id"]
            for r in g.members.values()
            if r["source"] == cmd.source and r["source_id"] == cmd.source_id
        ),
        None,
    )
    where = f"'{cmd.source}/{cmd.source_id}'"
    if rid is None:
        raise NotFound(f"{where} is not a source record of '{cmd.golden_id}'")
    if len(g.members) == 1:
        raise Conflict(f"{where} is the only source record of '{cmd.golden_id}'")
    book.resolve_refs()
    new = book.create(cmd.entity_type)
    moved = book.move(rid, g, new)
    reindex(book, matcher, g)
    reindex(book, matcher, new)
    follow_split(book, g, new, moved)
    book.recompute(new, cause="split_out", membership_changed=True)
    book.recompute(g, cause="record_split", membership_changed=True)
    book.refresh_dependents([moved], cause="parent_split")
    uow.not_a_match.remember(
        cmd.entity_type, g.id, new.id, actor=cmd.actor, reason=reason, at=uow.clock.now()
    )
    detail = {"record": f"{cmd.source}/{cmd.source_id}", "new_golden_id": new.id}
    audit(book, actor=cmd.actor, action="split", target=g.id, reason=reason, detail=detail)
    book.flush()
    return {
        "golden_id": g.id,
        "version": g.version,
        "new_golden_id": new.id,
        "new_version": new.version,
    }
