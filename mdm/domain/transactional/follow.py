"""Linked events follow their customer through merges, unmerges and splits.

Each hook runs inside the steward change's unit of work, after the book has moved the
source records and before it recomputes the golden records, so the recomputed versions
carry the moved events' ``payment_status`` (no extra version):

- a merge moves everything standing for a merged-away record to the survivor;
- an unmerge moves back what is anchored to the records that go back, and what is
  anchored (through the crosswalk) to a golden record whose survivor is again the
  restored one, and nothing else: exactly what the merge moved;
- a split moves what is anchored to the record taken out.

The customers' advisory keys are taken first (see :mod:`.resolve`): an intake that
resolved one of them before this change either finished first (its rows are moved
here) or waits and resolves again after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import GoldenState
from mdm.domain.transactional.collections import derived_payment_status
from mdm.domain.transactional.resolve import customer_keys, survivor_in

__all__ = ["follow_merge", "follow_split", "follow_unmerge"]


def _lock(uow: UnitOfWork, records: Iterable[Mapping[str, Any]], anchors: Sequence[str]) -> None:
    customers = {(r["source"], r["source_id"]) for r in records}
    for rows in uow.crosswalk.for_golden(list(anchors)).values():
        customers.update((row["source"], row["target_id"]) for row in rows if row["source"])
    uow.locks.lock_keys(customer_keys(customers))


def _absorbed(uow: UnitOfWork, golden_id: str) -> list[str]:
    """``golden_id`` and every record merged into it, at any depth."""
    found, frontier = [golden_id], [golden_id]
    while frontier:
        frontier = uow.transactional.merged_into(frontier)
        found.extend(frontier)
    return found


def _rederive(
    uow: UnitOfWork, goldens: Sequence[GoldenState], previous: Mapping[str, str | None]
) -> None:
    """Each golden's ``payment_status`` from the payments that stand for it now, given
    what it was (``previous``, by golden id)."""
    derived = derived_payment_status(uow, {g.id: previous.get(g.id) for g in goldens})
    for g in goldens:
        g.derived.update(derived[g.id])


def _status(g: GoldenState) -> str | None:
    value = g.attributes.get("payment_status")
    return value if isinstance(value, str) else None


def follow_merge(
    book: GoldenBook,
    survivor: GoldenState,
    merged_ids: Sequence[str],
    moved: Sequence[Mapping[str, Any]],
) -> None:
    if survivor.entity_type != "customer":
        return
    uow = book.uow
    _lock(uow, moved, [a for m in merged_ids for a in _absorbed(uow, m)])
    uow.transactional.move_golden(list(merged_ids), survivor.id)
    merged = [book.goldens[m] for m in merged_ids if m in book.goldens]
    flags = [s for s in map(_status, [survivor, *merged]) if s is not None]
    _rederive(uow, [survivor], {survivor.id: flags[0] if flags else None})


def follow_unmerge(
    book: GoldenBook,
    survivor: GoldenState,
    restored: GoldenState,
    back: Sequence[Mapping[str, Any]],
) -> None:
    if survivor.entity_type != "customer":
        return
    uow = book.uow
    _lock(uow, back, _absorbed(uow, restored.id))
    uow.transactional.move_records([r["id"] for r in back], restored.id)
    anchors = uow.transactional.anchors_on(survivor.id)
    going = sorted(a for a in anchors if survivor_in(book, a) == restored.id)
    if going:
        uow.transactional.move_anchors(going, on=survivor.id, to=restored.id)
    _rederive(uow, [survivor, restored], {g.id: _status(g) for g in (survivor, restored)})


def follow_split(
    book: GoldenBook, kept: GoldenState, new: GoldenState, moved: Mapping[str, Any]
) -> None:
    if kept.entity_type != "customer":
        return
    uow = book.uow
    _lock(uow, [moved], [])
    uow.transactional.move_records([moved["id"]], new.id)
    _rederive(uow, [kept, new], {g.id: _status(kept) for g in (kept, new)})
