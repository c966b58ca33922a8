"""The transactional event types: what each says happened to which kind of object.

A transactional event reports one change to one business object a source owns: an
order, an invoice, a payment, a subscription or a support case. Its ``type`` is
``<object>.<change>`` (``invoice.paid``); its ``data`` is the object as it stands
after the change (a snapshot, as Stripe sends it), so the newest applied event of
an object is that object's state.

Each type names the object's status after it (or None: the status is the one in
``data``, else the one the object had) and a *stage*: the lifecycle position that
orders two events of one object reported at the same instant (an invoice is
posted before it is paid, even when both carry the same second).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EVENT_TYPES",
    "ID_FIELDS",
    "OBJECT_TYPES",
    "EventKind",
    "kind_of",
    "object_type_of",
]

OBJECT_TYPES: tuple[str, ...] = ("order", "invoice", "payment", "subscription", "support_case")

# the type prefix of each object's events (support cases are ``case.*``)
_PREFIX: dict[str, str] = {
    "order": "order",
    "invoice": "invoice",
    "payment": "payment",
    "subscription": "subscription",
    "case": "support_case",
}

# the ``data`` field that names the object
ID_FIELDS: dict[str, str] = {
    "order": "order_id",
    "invoice": "invoice_id",
    "payment": "payment_id",
    "subscription": "subscription_id",
    "support_case": "case_id",
}


@dataclass(frozen=True, slots=True)
class EventKind:
    type: str
    object_type: str
    status: str | None
    stage: int


def _kinds(
    object_type: str, prefix: str, changes: dict[str, tuple[str | None, int]]
) -> dict[str, EventKind]:
    return {
        f"{prefix}.{change}": EventKind(f"{prefix}.{change}", object_type, status, stage)
        for change, (status, stage) in changes.items()
    }


EVENT_TYPES: dict[str, EventKind] = {
    **_kinds(
        "order",
        "order",
        {
            "booked": ("booked", 1),
            "amended": ("booked", 2),
            "fulfilled": ("fulfilled", 3),
            "cancelled": ("cancelled", 4),
        },
    ),
    **_kinds(
        "invoice",
        "invoice",
        {
            "posted": ("open", 1),
            "partially_paid": ("open", 2),
            "paid": ("paid", 3),
            "uncollectible": ("uncollectible", 3),
            "voided": ("void", 4),
        },
    ),
    **_kinds(
        "payment",
        "payment",
        {
            "failed": ("failed", 1),
            "succeeded": ("succeeded", 2),
            "refunded": ("refunded", 3),
            "disputed": ("disputed", 4),
        },
    ),
    **_kinds(
        "subscription",
        "subscription",
        {
            "created": (None, 1),
            "updated": (None, 2),
            "renewed": ("active", 2),
            "cancelled": ("cancelled", 3),
        },
    ),
    **_kinds(
        "support_case",
        "case",
        {
            "opened": ("open", 1),
            "updated": (None, 2),
            "reopened": ("open", 2),
            "closed": ("closed", 3),
        },
    ),
}


def object_type_of(event_type: object) -> str | None:
    """The object type an event type belongs to (by its prefix), or None."""
    if not isinstance(event_type, str):
        return None
    return _PREFIX.get(event_type.partition(".")[0])


def kind_of(event_type: str) -> EventKind:
    return EVENT_TYPES[event_type]
