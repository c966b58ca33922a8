"""Use case: standardize stored records again and re-key their golden records.

Needed when what a record standardizes to changes without the record changing: a new
standardizer version (its stored prepared forms are then ignored and every candidate is
standardized again on each decision, and keys computed before may be missing), or a
source's default region set or changed (its national phone numbers read differently).
Works one page of golden records per call, each locked like a merge locks them, so a
caller (``mdm sources restandardize``) walks any number of records in short
transactions while ingests go on.
"""

from __future__ import annotations

from typing import Any

from canonical.commands import Restandardize
from canonical.errors import InvalidInput, UnknownSource
from canonical.states import GoldenStatus
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.merging import reindex

__all__ = ["handle"]

_ENTITY_TYPES = ("customer", "product")


def handle(cmd: Restandardize, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    """``{"goldens": n, "records": m, "changed": k, "next": last id or None}``."""
    if cmd.entity_type not in _ENTITY_TYPES:
        raise InvalidInput(f"entity_type must be one of {', '.join(_ENTITY_TYPES)}")
    if cmd.source is not None and not uow.sources.exists(cmd.source):
        raise UnknownSource(f"unknown source '{cmd.source}'")
    ids = uow.records.golden_ids_after(cmd.entity_type, cmd.source, cmd.after, cmd.limit)
    book = GoldenBook(uow, correlation_id=None)
    book.load(ids)
    regions: dict[str, str | None] = {}
    changed: list[dict[str, Any]] = []
    records = 0
    for gid in ids:
        g = book.goldens.get(gid)
        if g is None or g.status != GoldenStatus.ACTIVE:
            continue
        for member in g.members.values():
            records += 1
            source = member["source"]
            if source not in regions:
                regions[source] = uow.sources.default_region(source)
            std = matcher.prepare(g.entity_type, member["payload"], default_region=regions[source])
            if std != member.get("match_std"):
                member["match_std"] = std
                changed.append({"id": member["id"], "match_std": std})
        reindex(book, matcher, g)
    uow.records.update(changed)
    done = len(ids) == cmd.limit
    return {
        "goldens": len(ids),
        "records": records,
        "changed": len(changed),
        "next": ids[-1] if done else None,
    }
