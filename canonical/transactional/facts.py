"""Facts about a golden customer, from the current state of its objects.

The read side sums the customer's objects per (object type, status, currency) in the
database; :func:`facts_from_groups` turns those groups into the facts applications
read. Every fact is a pure function of the objects' current states, so merges,
unmerges and out-of-order deliveries never leave a running total behind.

Per currency (amounts as decimal strings):

- ``booked``: orders booked or fulfilled (not cancelled), their totals;
- ``invoiced``: invoices posted (open, paid or written off; not void), their totals;
- ``paid``: payments received (succeeded, later refunded or disputed) net of refunds;
- ``refunded``: what was refunded of them;
- ``receivable``: what open invoices still owe; ``overdue``: the part past its due date.

Besides: ``open_invoices``; ``last_payment`` (the status of the payment with the newest
event); ``payment_status``; ``subscription`` (the best status among the customer's
subscriptions and the next renewal of those still running); ``open_cases``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from canonical.timestamps import iso as _iso
from canonical.transactional.money import format_micros

__all__ = [
    "CLOSED_CASE",
    "SUBSCRIPTION_PRECEDENCE",
    "Group",
    "facts_from_groups",
    "group_of",
    "last_payment_of",
    "payment_status_after",
    "payment_status_of",
]

CLOSED_CASE = frozenset({"closed", "solved"})
SUBSCRIPTION_PRECEDENCE = (
    "active",
    "trialing",
    "past_due",
    "unpaid",
    "paused",
    "incomplete",
    "cancelled",
)
_RUNNING = frozenset({"active", "trialing", "past_due", "unpaid"})
_BOOKED = frozenset({"booked", "fulfilled"})
_INVOICED = frozenset({"open", "paid", "uncollectible"})
_RECEIVED = frozenset({"succeeded", "refunded", "disputed"})
_MONEY_FIELDS = ("booked", "invoiced", "paid", "refunded", "receivable", "overdue")


@dataclass(frozen=True, slots=True)
class Group:
    """The sums of one customer's objects of one type, status and currency."""

    object_type: str
    status: str
    currency: str | None
    count: int
    amount: int  # micros, here and below
    amount_due: int
    amount_refunded: int
    overdue: int
    last_at: datetime | None
    next_renewal: datetime | None


def payment_status_of(last_payment: str | None) -> str | None:
    """The ``payment_status`` fact: ``past_due`` while the newest payment failed, else
    ``current``; None before any payment."""
    if last_payment is None:
        return None
    return "past_due" if last_payment == "failed" else "current"


def payment_status_after(last_payment: str | None, previous: str | None) -> str | None:
    """The ``payment_status`` golden attribute, the collections flag: ``past_due`` while
    the newest payment failed; once set, ``current`` after a later success; absent for a
    customer never in collections (so a customer's first payment changes no golden record,
    and CRM and support hear only of customers going in and out of collections)."""
    if last_payment is None:
        return None
    if last_payment == "failed":
        return "past_due"
    return "current" if previous is not None else None


def _money(groups: Iterable[Group]) -> list[dict[str, Any]]:
    sums: dict[str, dict[str, int]] = {}
    for g in groups:
        if g.currency is None or g.object_type == "subscription":
            continue
        row = sums.setdefault(g.currency, dict.fromkeys(_MONEY_FIELDS, 0))
        if g.object_type == "order" and g.status in _BOOKED:
            row["booked"] += g.amount
        elif g.object_type == "invoice" and g.status in _INVOICED:
            row["invoiced"] += g.amount
            if g.status == "open":
                row["receivable"] += g.amount_due
                row["overdue"] += g.overdue
        elif g.object_type == "payment" and g.status in _RECEIVED:
            row["paid"] += g.amount - g.amount_refunded
            row["refunded"] += g.amount_refunded
    return [
        {"currency": cur, **{k: format_micros(v, cur) for k, v in row.items()}}
        for cur, row in sorted(sums.items())
    ]


def _subscription(groups: list[Group]) -> dict[str, Any] | None:
    subs = [g for g in groups if g.object_type == "subscription"]
    if not subs:
        return None
    rank = {s: i for i, s in enumerate(SUBSCRIPTION_PRECEDENCE)}
    best = min(subs, key=lambda g: (rank.get(g.status, len(rank)), g.status))
    renewals = [g.next_renewal for g in subs if g.status in _RUNNING and g.next_renewal]
    return {
        "status": best.status,
        "renews_at": _iso(min(renewals)) if renewals else None,
        "running": sum(g.count for g in subs if g.status in _RUNNING),
        "total": sum(g.count for g in subs),
    }


def last_payment_of(groups: Iterable[Group]) -> dict[str, Any] | None:
    payments = [g for g in groups if g.object_type == "payment" and g.last_at is not None]
    if not payments:
        return None
    newest = max(payments, key=lambda g: (g.last_at, g.status))
    return {"status": newest.status, "at": _iso(newest.last_at)}


def facts_from_groups(groups: Iterable[Group]) -> dict[str, Any]:
    """Every fact of one customer (see the module docstring)."""
    groups = list(groups)
    last = last_payment_of(groups)
    return {
        "money": _money(groups),
        "open_invoices": sum(
            g.count for g in groups if g.object_type == "invoice" and g.status == "open"
        ),
        "last_payment": last,
        "payment_status": payment_status_of(last["status"] if last else None),
        "subscription": _subscription(groups),
        "open_cases": sum(
            g.count
            for g in groups
            if g.object_type == "support_case" and g.status not in CLOSED_CASE
        ),
    }


def group_of(row: Mapping[str, Any]) -> Group:
    """A :class:`Group` from a read-model row with the same keys."""
    return Group(
        object_type=row["object_type"],
        status=row["status"],
        currency=row["currency"],
        count=int(row["count"]),
        amount=int(row["amount"] or 0),
        amount_due=int(row["amount_due"] or 0),
        amount_refunded=int(row["amount_refunded"] or 0),
        overdue=int(row["overdue"] or 0),
        last_at=row["last_at"],
        next_renewal=row["next_renewal"],
    )
