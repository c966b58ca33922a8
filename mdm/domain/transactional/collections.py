"""The collections branch: a failed payment sets the customer's ``payment_status`` and
raises ``mdm.customer.payment_failed.v1``.

``payment_status`` is a derived golden attribute (:mod:`canonical.transactional.derived`):
``past_due`` while the customer's newest payment failed, ``current`` once one succeeds.
Setting it is a golden change like any other (a version, a ``mdm.golden.customer.updated``
event, deliveries to every target whose mapping sends it: CRM and support by default).
The integration event is raised once per payment, when it first stands failed on a known
customer (at intake, or when its parked customer becomes known), and is queued right
after the golden event of the version that carries the status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from canonical.states import GoldenStatus
from canonical.survivorship import LineageEntry
from canonical.timestamps import iso
from canonical.transactional import derived_lineage, format_micros, payment_status_after
from contracts.events import CloudEvent
from contracts.integration_events import PAYMENT_FAILED
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook

__all__ = ["derived_payment_status", "raise_payment_failures", "refresh_payment_status"]

Derived = dict[str, tuple[Any, LineageEntry | None]]


def derived_payment_status(
    uow: UnitOfWork, previous: Mapping[str, str | None]
) -> dict[str, Derived]:
    """``{"payment_status": (value, lineage)}`` per golden id of ``previous`` (its
    current value), from its newest payment (value None: the attribute goes)."""
    ids = sorted(previous)
    newest = uow.transactional.newest_payments(ids)
    out: dict[str, Derived] = {}
    for gid in ids:
        payment = newest.get(gid)
        value = payment_status_after(payment["status"] if payment else None, previous[gid])
        if payment is None or value is None:
            out[gid] = {"payment_status": (value, None)}
            continue
        lineage = derived_lineage(
            source=payment["source"],
            event_id=payment["event_id"],
            at=iso(payment["occurred_at"]) or "",
            rule="newest_payment",
        )
        out[gid] = {"payment_status": (value, lineage)}
    return out


def refresh_payment_status(
    uow: UnitOfWork,
    book: GoldenBook,
    paid: Iterable[str],
    failed: Iterable[str],
    *,
    cause: str,
) -> None:
    """The customers whose payments changed (``paid``; ``failed``: of those, the ones with
    a payment that now stands failed): recompute those whose ``payment_status`` no longer
    says what their newest payment does (a version each). A customer never in collections
    with no failure now is not even looked at (see ``payment_status_after``)."""
    paid = set(paid)
    in_book = {g: s.attributes.get("payment_status") for g, s in book.goldens.items() if g in paid}
    previous: dict[str, str | None] = {
        **uow.transactional.payment_statuses(sorted(paid - set(in_book))),
        **in_book,
    }
    candidates = set(failed) | {g for g, status in previous.items() if status is not None}
    if not candidates:
        return
    wanted = derived_payment_status(uow, {g: previous.get(g) for g in candidates})
    stale = [g for g, d in wanted.items() if d["payment_status"][0] != previous.get(g)]
    book.load(stale)
    for gid in sorted(stale):
        g = book.goldens.get(gid)
        if g is None or g.status != GoldenStatus.ACTIVE or g.entity_type != "customer":
            continue
        g.derived.update(wanted[gid])
        book.recompute(g, cause=cause, membership_changed=False)


def _payment_failed(
    row: Mapping[str, Any], golden: Mapping[str, Any], correlation_id: str | None, now: datetime
) -> dict[str, Any]:
    data = row["data"]
    event = CloudEvent(
        id=str(uuid.uuid4()),
        type=PAYMENT_FAILED,
        subject=golden["id"],
        time=now,
        correlation_id=correlation_id,
        data={
            "golden_id": golden["id"],
            "golden_version": golden["version"],
            "payment_status": golden["attributes"].get("payment_status", "past_due"),
            "parent_id": golden["attributes"].get("parent"),
            "source": row["source"],
            "source_event_id": row["event_id"],
            "payment_id": row["object_id"],
            "invoice_id": row["reference"],
            "amount": format_micros(row["amount"] or 0, row["currency"]),
            "currency": row["currency"],
            "failure_code": data.get("failure_code"),
            "failure_message": data.get("failure_message"),
            "occurred_at": iso(row["occurred_at"]),
        },
    )
    return {
        "event_id": event.id,
        "event_type": event.type,
        "subject": golden["id"],
        "entity_type": "customer",
        "golden_version": None,
        "envelope": event.envelope(),
        "correlation_id": correlation_id,
        "created_at": now,
    }


def raise_payment_failures(
    book: GoldenBook, failures: Sequence[Mapping[str, Any]], *, correlation_id: str | None
) -> None:
    """Queue one ``payment_failed`` event per failed payment row, after the golden events
    the book holds (so a consumer sees the ``past_due`` version first)."""
    if not failures:
        return
    ids = sorted({row["golden_id"] for row in failures})
    loaded = {gid: g.row() for gid, g in book.goldens.items() if gid in ids}
    missing = [gid for gid in ids if gid not in loaded]
    loaded |= book.uow.goldens.for_update(missing, lock=False)
    for row in failures:
        golden = loaded.get(row["golden_id"])
        if golden is not None:
            book.events.append(_payment_failed(row, golden, correlation_id, book.uow.clock.now()))
