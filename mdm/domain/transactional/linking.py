"""Parked events link the moment their customer becomes known.

Two things make a customer known: a source record (the xref) created by ingest, and a
crosswalk entry written when a target acknowledged a golden record under its own id.
Each calls in here in its own transaction: ingest (:func:`link_new_records`) with the
records of the batch (one indexed look-up of the parked events, usually answering
nothing); the dispatcher (:func:`link_crosswalk`) with the ids targets just gave.
Both hold the customers' advisory keys already or take them here (:mod:`.resolve`),
so an intake that parked an event and the write that makes its customer known are
ordered: the second one sees the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.transactional.collections import raise_payment_failures, refresh_payment_status
from mdm.domain.transactional.resolve import Link, customer_keys, survivors_of

__all__ = ["link_crosswalk", "link_new_records"]

_CAUSE = "transactions_linked"


def _link_all(uow: UnitOfWork, source: str, links: Mapping[str, Link]) -> list[dict[str, Any]]:
    """Link the parked events of ``links``' customers; returns the objects linked."""
    waiting = uow.transactional.parked(source, sorted(links))
    linked: list[dict[str, Any]] = []
    for customer_id in sorted(waiting):
        linked.extend(uow.transactional.link(source, customer_id, links[customer_id].columns()))
    return linked


def _react(
    uow: UnitOfWork, book: GoldenBook, linked: Sequence[Mapping[str, Any]], cid: str | None
) -> None:
    payments = [o for o in linked if o["object_type"] == "payment"]
    if not payments:
        return
    failed = [dict(o) for o in payments if o["status"] == "failed"]
    refresh_payment_status(
        uow,
        book,
        {o["golden_id"] for o in payments},
        {o["golden_id"] for o in failed},
        cause=_CAUSE,
    )
    raise_payment_failures(book, failed, correlation_id=cid)


def link_new_records(
    uow: UnitOfWork, book: GoldenBook, source: str, records: Iterable[Mapping[str, Any]]
) -> None:
    """In the ingest transaction that creates these customer records (whose keys it has
    locked): their parked events link to the records' golden records; changed payment
    status is recomputed through ``book`` (flushed by ingest)."""
    links = {r["source_id"]: Link(r["golden_id"], record_id=r["id"]) for r in records}
    if links:
        _react(uow, book, _link_all(uow, source, links), book.correlation_id)


def link_crosswalk(
    uow: UnitOfWork, source: str | None, ids: Mapping[str, str], *, correlation_id: str | None
) -> None:
    """``ids``: target id -> golden id, just written to the crosswalk for a target whose
    records come back as ``source``; parked events of those ids link to the survivors."""
    if not source or not ids:
        return
    uow.locks.lock_keys(customer_keys((source, target_id) for target_id in ids))
    waiting = uow.transactional.parked(source, sorted(ids))
    if not waiting:
        return
    survivors = survivors_of(uow, {ids[t] for t in waiting})
    links = {t: Link(survivors[ids[t]], anchor_golden_id=ids[t]) for t in waiting}
    book = GoldenBook(uow, correlation_id=correlation_id)
    _react(uow, book, _link_all(uow, source, links), correlation_id)
    book.flush()
