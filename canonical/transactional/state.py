"""An object's state after an event, and which of two events of one object is newer.

The newest applied event of an object is its state; an event older than the one
applied is *stale*: kept in the history, never applied. Older means, when both
events carry the source's ``version`` of the object, a lower version; otherwise an
earlier ``occurred_at``, and at the same instant an earlier lifecycle stage (see
:mod:`canonical.transactional.types`). An event equal on every count is applied
(a redelivery under a new id changes nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from canonical.transactional.money import parse_micros
from canonical.transactional.types import ID_FIELDS, EventKind, kind_of

__all__ = ["DEFAULT_STATUS", "Position", "is_older", "parse_day", "parse_time", "state_after"]

DEFAULT_STATUS = {"subscription": "active", "support_case": "open"}

# the field of ``data`` that refers to another object, per object type
_REFERENCE = {"payment": "invoice_id", "invoice": "subscription_id"}


@dataclass(frozen=True, slots=True)
class Position:
    """Where an event stands in its object's history."""

    occurred_at: datetime
    stage: int
    version: int | None


def is_older(event: Position, applied: Position) -> bool:
    """Whether ``event`` is older than the ``applied`` one (see the module docstring)."""
    if event.version is not None and applied.version is not None:
        return event.version < applied.version
    return (event.occurred_at, event.stage) < (applied.occurred_at, applied.stage)


@lru_cache(maxsize=8192)
def parse_time(text: str) -> datetime | None:
    """An RFC 3339 time as an aware UTC datetime; None if Python cannot represent it (a
    leap second, a year 0). Cached: intake checks, orders and stores each time it meets."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        try:
            value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.astimezone(UTC) if value.tzinfo else None


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _micros(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    return parse_micros(value) if isinstance(value, str) else None


def _status(kind: EventKind, data: Mapping[str, Any], previous: str | None) -> str:
    return (
        kind.status
        or data.get("status")
        or previous
        or DEFAULT_STATUS.get(kind.object_type, "open")
    )


def _amounts(kind: EventKind, status: str, data: Mapping[str, Any]) -> dict[str, int | None]:
    amount = _micros(data, "amount")
    paid = _micros(data, "amount_paid")
    due = _micros(data, "amount_due")
    refunded = _micros(data, "amount_refunded")
    if kind.object_type == "invoice" and amount is not None:
        paid = paid if paid is not None else (amount if status == "paid" else 0)
        due = due if due is not None else (amount - paid if status == "open" else 0)
    if kind.object_type == "payment" and amount is not None and refunded is None:
        refunded = amount if kind.type == "payment.refunded" else 0
    return {"amount": amount, "amount_paid": paid, "amount_due": due, "amount_refunded": refunded}


def state_after(event: Mapping[str, Any], previous_status: str | None) -> dict[str, Any]:
    """The object's state once ``event`` (valid, see the schemas) is applied: its id,
    status, amounts in micros, currency, reference, due date, renewal and position."""
    kind = kind_of(event["type"])
    data = event["data"]
    status = _status(kind, data, previous_status)
    occurred = parse_time(event["occurred_at"])
    renews = parse_time(data["renews_at"]) if data.get("renews_at") else None
    reference = _REFERENCE.get(kind.object_type)
    return {
        "object_type": kind.object_type,
        "object_id": str(data[ID_FIELDS[kind.object_type]]),
        "status": status,
        "currency": data.get("currency"),
        **_amounts(kind, status, data),
        "reference": data.get(reference) if reference else None,
        "due_on": parse_day(data.get("due_date")),
        "renews_at": renews,
        "occurred_at": occurred,
        "stage": kind.stage,
        "version": event.get("version"),
    }
