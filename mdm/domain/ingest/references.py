"""Ingest step *resolve references*: parents and products named by source id resolve to
golden ids through the xrefs; a parent that would close a loop refuses the record; a
customer whose sources name different parents opens a steward task."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from canonical.errors import FieldError
from mdm.domain.golden_book import GoldenBook
from mdm.domain.ingest.applied import Applying
from mdm.domain.ingest.run import ItemResult
from mdm.domain.ingest.validate import reject
from mdm.domain.record_key import RecordKey
from mdm.domain.tasks import new_task

__all__ = ["MAX_DEPTH", "cycle", "parent_disagreements", "refuse_cycle"]

MAX_DEPTH = 100


def _parent_of(book: GoldenBook, gid: str) -> str | None:
    g = book.goldens.get(gid)
    if g is not None:
        parent = g.attributes.get("parent")
    else:
        row = book.uow.goldens.get(gid)
        parent = row["attributes"].get("parent") if row else None
    return parent if isinstance(parent, str) else None


def cycle(book: GoldenBook, golden_id: str, parent_id: str | None) -> list[str] | None:
    """The chain from ``parent_id`` up to ``golden_id`` if making ``parent_id`` the parent
    of ``golden_id`` would close a loop; None when it would not."""
    chain: list[str] = []
    current = parent_id
    for _ in range(MAX_DEPTH):
        if current is None:
            return None
        chain.append(current)
        if current == golden_id:
            return chain
        current = _parent_of(book, current)
    return chain


def refuse_cycle(
    state: Applying, result: ItemResult, sid: str, rec: Mapping[str, Any], golden_id: str
) -> bool:
    """A parent that would close a loop refuses the record: quarantine + steward task.
    True when the record was refused."""
    intake, book = state.intake, state.book
    if intake.entity_type != "customer" or not isinstance(rec.get("parent"), str):
        return False
    parent_gid = book.xref.get(RecordKey(intake.source, "customer", rec["parent"]))
    chain = [golden_id] if rec["parent"] == sid else cycle(book, golden_id, parent_gid)
    if chain is None:
        return False
    error = FieldError(
        "/parent",
        f"parent '{rec['parent']}' would make a hierarchy cycle "
        f"({' -> '.join([golden_id, *chain])})",
        "hierarchy_cycle",
    )
    row = reject(intake, result, rec, [error])
    state.quarantine.append(row)
    result.quarantine_id = row["id"]
    state.tasks.append(
        new_task(
            kind="hierarchy_cycle",
            entity_type=intake.entity_type,
            now=intake.now,
            golden_id=golden_id,
            candidate_golden_id=parent_gid,
            source=intake.source,
            explanation={
                "reason": error.message,
                "cycle": [golden_id, *chain],
                "record": {"source": intake.source, "source_id": sid},
                "parent": rec["parent"],
                "quarantine_id": result.quarantine_id,
            },
        )
    )
    return True


def parent_disagreements(book: GoldenBook, entity_type: str, now: datetime) -> list[dict[str, Any]]:
    """A steward task for each customer ``book`` changed whose sources name different
    parents (survivorship picked one; the others stay visible in lineage ``alternatives``)."""
    if entity_type != "customer":
        return []
    disputed = {
        g.id: g.lineage["parent"]
        for g in book.goldens.values()
        if g.dirty and "alternatives" in g.lineage.get("parent", {})
    }
    if not disputed:
        return []
    already = book.uow.tasks.open_goldens("parent_disagreement", sorted(disputed))
    return [
        new_task(
            kind="parent_disagreement",
            entity_type="customer",
            now=now,
            golden_id=gid,
            explanation={
                "reason": "sources disagree on the parent",
                "chosen": {"source": lin["source"], "source_id": lin["source_id"]},
                "alternatives": lin["alternatives"],
            },
        )
        for gid, lin in disputed.items()
        if gid not in already
    ]
