"""What the three catalog connectors (Stripe, Salesforce, NetSuite) share about golden products
and prices: which price book of the target a price goes to, its amounts, its recurrence, and
whether a record is for sale.

A golden price's ``product`` is its golden product's id (the hub resolves the source's own id);
a price without one cannot be placed at any target. Amounts are decimal strings in currency
units; billing periods are ``one_time``, ``day``, ``week``, ``month``, ``quarter``, ``year``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from canonical.states import GoldenStatus
from sync.connectors.base import ErrorCode, OutboundRecord, PermanentError

__all__ = [
    "RECURRING",
    "amount",
    "for_sale",
    "product_of",
    "recurrence",
    "target_price_book",
]

# billing period -> (interval, interval_count), Stripe's words, which the others follow
RECURRING: dict[str, tuple[str, int]] = {
    "day": ("day", 1),
    "week": ("week", 1),
    "month": ("month", 1),
    "quarter": ("month", 3),
    "year": ("year", 1),
}


def for_sale(record: OutboundRecord) -> bool:
    """Active at the target: a golden record not merged away, a product not retired."""
    if record.status != GoldenStatus.ACTIVE:
        return False
    return record.entity_type != "product" or record.attributes.get("status") in (None, "active")


def product_of(record: OutboundRecord) -> str:
    """The golden product of a price; a price the hub could not tie to one is refused."""
    product = record.attributes.get("product")
    if not isinstance(product, str) or not product:
        raise PermanentError(
            ErrorCode.INVALID,
            f"price {record.golden_id} names no golden product (its source's product is "
            "not in the hub): it is delivered once it does",
        )
    return product


def amount(value: Any, what: str) -> Decimal:
    """A decimal amount from its canonical string; anything else is refused, naming it."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PermanentError(ErrorCode.INVALID, f"{what}: not an amount ({value!r})") from None
    if not number.is_finite():
        raise PermanentError(ErrorCode.INVALID, f"{what}: not an amount ({value!r})")
    return number


def recurrence(record: OutboundRecord) -> tuple[str, int] | None:
    """``(interval, count)`` of a recurring price, None for a one-time one."""
    period = record.attributes.get("billing_period")
    return RECURRING.get(period) if isinstance(period, str) else None


def target_price_book(record: OutboundRecord, books: Mapping[str, str]) -> str:
    """The target's price book for a price: its ``price_books`` entry, ``"*"``'s, else the
    hub's own name."""
    hub = str(record.attributes.get("price_book") or "")
    return books.get(hub) or books.get("*") or hub
