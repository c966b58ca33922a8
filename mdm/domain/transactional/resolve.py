"""Which golden customer an event's customer is: through the xrefs, then the crosswalk.

``(customer source, id)`` is first looked up among that source's customer records (the
xref: the record's golden id, anchored to the record so splits and unmerges can move
it); failing that, in the crosswalk, where an id a target gave a golden record is kept
with the target's source (a Stripe ``cus_...`` the hub created, reported back by
``billing``), anchored to that golden record and standing for its survivor. Neither:
the customer is unknown and its events are parked.

Every writer that links or moves events of a customer holds the advisory lock of the
customer's record key (:func:`customer_keys`, the key ingest locks a record by), so a
record or crosswalk entry appearing, and a merge moving a customer, never interleave
with an intake that read the link before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from canonical.states import GoldenStatus
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.record_key import RecordKey

__all__ = ["Link", "customer_keys", "resolve", "survivor_in", "survivors_of"]

CustomerKey = tuple[str, str]
_MAX_HOPS = 50


@dataclass(frozen=True, slots=True)
class Link:
    golden_id: str
    record_id: str | None = None
    anchor_golden_id: str | None = None

    def columns(self) -> dict[str, str | None]:
        return {
            "golden_id": self.golden_id,
            "record_id": self.record_id,
            "anchor_golden_id": self.anchor_golden_id,
        }


NO_LINK: dict[str, str | None] = {"golden_id": None, "record_id": None, "anchor_golden_id": None}


def customer_keys(customers: Iterable[CustomerKey]) -> list[str]:
    return [RecordKey(source, "customer", cid).text for source, cid in customers]


def survivors_of(uow: UnitOfWork, golden_ids: Iterable[str]) -> dict[str, str]:
    """Each id's survivor (itself unless merged), a batch per merge level."""
    out = {g: g for g in golden_ids}
    pending = set(out)
    for _ in range(_MAX_HOPS):
        current = {out[g] for g in pending}
        if not current:
            break
        rows = uow.goldens.for_update(sorted(current), lock=False)
        moved = {
            gid: row["merged_into"]
            for gid, row in rows.items()
            if row["status"] == GoldenStatus.MERGED and row["merged_into"]
        }
        pending = {g for g in pending if out[g] in moved}
        for g in pending:
            out[g] = moved[out[g]]
    return out


def survivor_in(book: GoldenBook, golden_id: str) -> str:
    """The survivor of ``golden_id`` as ``book`` sees it (its in-memory changes first)."""
    gid = golden_id
    for _ in range(_MAX_HOPS):
        g = book.goldens.get(gid)
        row: Mapping[str, Any] | None = g.row() if g is not None else book.uow.goldens.get(gid)
        if row is None or row["status"] != GoldenStatus.MERGED or not row["merged_into"]:
            return gid
        gid = row["merged_into"]
    return gid


def resolve(uow: UnitOfWork, customers: Iterable[CustomerKey]) -> dict[CustomerKey, Link]:
    """The link of every known customer among ``customers`` (unknown ones are absent)."""
    by_source: dict[str, set[str]] = {}
    for source, cid in customers:
        by_source.setdefault(source, set()).add(cid)
    links: dict[CustomerKey, Link] = {}
    anchors: dict[CustomerKey, str] = {}
    for source, ids in sorted(by_source.items()):
        records = uow.transactional.customer_records(source, sorted(ids))
        for cid, (record_id, golden_id) in records.items():
            links[(source, cid)] = Link(golden_id, record_id=record_id)
        missing = sorted(ids - set(records))
        if missing:
            for target_id, golden_id in uow.crosswalk.golden_for(
                source, "customer", missing
            ).items():
                anchors[(source, target_id)] = golden_id
    if anchors:
        survivors = survivors_of(uow, set(anchors.values()))
        for key, anchor in anchors.items():
            links[key] = Link(survivors[anchor], anchor_golden_id=anchor)
    return links
