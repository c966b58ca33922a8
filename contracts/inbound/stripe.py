"""Stripe events (the Event object a webhook endpoint receives) as canonical events.

An Event is ``{"id": "evt_...", "object": "event", "type", "created": <unix seconds>,
"data": {"object": {...}, "previous_attributes": {...}}, "api_version", ...}``; the
object is the invoice, charge or subscription after the change. Amounts are integers
in the currency's minor unit and currencies lower case; canonical events carry decimal
strings and ISO codes (:func:`from_minor`, by Stripe's own list of zero- and
three-decimal currencies, https://docs.stripe.com/currencies). The customer is the
object's ``customer`` (a ``cus_...`` id, or the expanded customer): the hub resolves it
through the receiving source's records and through the crosswalk, where the ids of the
Stripe customers the hub created for golden customers are kept.

Mapped (anything else is acknowledged and ignored, as Stripe asks of endpoints):

=================================  =========================================
``invoice.finalized``              ``invoice.posted``
``invoice.paid``                   ``invoice.paid`` (and ``subscription.renewed``
                                   for a ``subscription_cycle`` invoice)
``invoice.payment_failed``         ``payment.failed`` (the charge or payment intent)
``invoice.voided``                 ``invoice.voided``
``invoice.marked_uncollectible``   ``invoice.uncollectible``
``charge.succeeded``               ``payment.succeeded``
``charge.failed``                  ``payment.failed``
``charge.refunded``                ``payment.refunded``
``customer.subscription.created``  ``subscription.created``
``customer.subscription.updated``  ``subscription.updated`` (``renewed`` when the
                                   period moved on)
``customer.subscription.paused``,  ``subscription.updated``
``.resumed``
``customer.subscription.deleted``  ``subscription.cancelled``
=================================  =========================================

Both API shapes are read: before 2025-03-31 (``invoice.subscription``,
``subscription.current_period_end``, ``charge.invoice``) and after
(``invoice.parent.subscription_details.subscription``, per-item periods).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypedDict

from contracts.targets.stripe import minor_unit_places

__all__ = [
    "MAPPED_TYPES",
    "CanonicalEvent",
    "EventCustomer",
    "EventData",
    "StripeEventError",
    "canonical_events",
    "from_minor",
]

# the object after the change: ids, statuses, ISO instants and decimal strings, a quantity
EventData = dict[str, str | int | None]


class EventCustomer(TypedDict):
    """The object's customer as the receiving source knows it (a ``cus_...`` id)."""

    source_id: str


class CanonicalEvent(TypedDict):
    """A canonical transactional event, as ``RecordEvents`` takes it."""

    id: str
    type: str
    occurred_at: str | None
    customer: EventCustomer
    data: EventData


def from_minor(amount: int, currency: str) -> str:
    """A Stripe integer amount in ``currency``'s minor unit as a decimal string."""
    code = currency.upper()
    places = minor_unit_places(code)
    return f"{Decimal(amount).scaleb(-places):.{places}f}"


class StripeEventError(ValueError):
    """A Stripe event this mapping cannot read; ``pointer`` names the place."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message


_STATUS = {"canceled": "cancelled", "incomplete_expired": "cancelled"}


def _iso(unix: Any) -> str | None:
    if isinstance(unix, bool) or not isinstance(unix, int):
        return None
    return datetime.fromtimestamp(unix, UTC).isoformat().replace("+00:00", "Z")


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _need(obj: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise StripeEventError(
            f"/data/object/{name}", f"expected a {getattr(kind, '__name__', 'value')}"
        )
    return value


def _money(obj: Mapping[str, Any], currency: str, name: str) -> str:
    return from_minor(int(_need(obj, name, int)), currency)


def _canonical(
    event: Mapping[str, Any],
    obj: Mapping[str, Any],
    kind: str,
    data: EventData,
    *,
    suffix: str = "",
) -> CanonicalEvent:
    customer = _id(obj.get("customer"))
    if customer is None:
        raise StripeEventError("/data/object/customer", "the object names no customer")
    return {
        "id": f"{event['id']}{suffix}",
        "type": kind,
        "occurred_at": _iso(event.get("created")),
        "customer": {"source_id": customer},
        "data": data,
    }


def _currency(obj: Mapping[str, Any]) -> str:
    return str(_need(obj, "currency", str)).upper()


def _subscription_of(invoice: Mapping[str, Any]) -> str | None:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _id(details.get("subscription")) or _id(invoice.get("subscription"))


def _invoice(event: Mapping[str, Any], obj: Mapping[str, Any], kind: str) -> list[CanonicalEvent]:
    currency = _currency(obj)
    data: EventData = {
        "invoice_id": _need(obj, "id", str),
        "currency": currency,
        "amount": _money(obj, currency, "total"),
        "amount_paid": _money(obj, currency, "amount_paid"),
        "amount_due": _money(obj, currency, "amount_remaining")
        if isinstance(obj.get("amount_remaining"), int)
        else from_minor(int(_need(obj, "amount_due", int)) - int(obj["amount_paid"]), currency),
    }
    if isinstance(obj.get("number"), str):
        data["number"] = obj["number"]
    due = _iso(obj.get("due_date"))
    if due:
        data["due_date"] = due[:10]
    subscription = _subscription_of(obj)
    if subscription:
        data["subscription_id"] = subscription
    events = [_canonical(event, obj, kind, data)]
    if (
        kind == "invoice.paid"
        and subscription
        and obj.get("billing_reason") == "subscription_cycle"
    ):
        events.append(_renewal(event, obj, subscription))
    return events


def _renewal(
    event: Mapping[str, Any], invoice: Mapping[str, Any], subscription: str
) -> CanonicalEvent:
    ends = [
        line["period"]["end"]
        for line in ((invoice.get("lines") or {}).get("data") or [])
        if isinstance((line.get("period") or {}).get("end"), int)
    ]
    data: EventData = {"subscription_id": subscription, "status": "active"}
    if ends:
        data["renews_at"] = _iso(max(ends))
    return _canonical(event, invoice, "subscription.renewed", data, suffix=":renewal")


def _invoice_payment(
    event: Mapping[str, Any], obj: Mapping[str, Any], _: str
) -> list[CanonicalEvent]:
    currency = _currency(obj)
    invoice_id = _need(obj, "id", str)
    payment = _id(obj.get("charge")) or _id(obj.get("payment_intent"))
    data: EventData = {
        "payment_id": payment or f"{invoice_id}:attempt-{obj.get('attempt_count') or 1}",
        "currency": currency,
        "amount": _money(obj, currency, "amount_due"),
        "invoice_id": invoice_id,
    }
    return [_canonical(event, obj, "payment.failed", data)]


def _charge(event: Mapping[str, Any], obj: Mapping[str, Any], kind: str) -> list[CanonicalEvent]:
    currency = _currency(obj)
    data: EventData = {
        "payment_id": _need(obj, "id", str),
        "currency": currency,
        "amount": _money(obj, currency, "amount"),
        "amount_refunded": from_minor(int(obj.get("amount_refunded") or 0), currency),
    }
    invoice = _id(obj.get("invoice"))
    if invoice:
        data["invoice_id"] = invoice
    method = (obj.get("payment_method_details") or {}).get("type")
    if isinstance(method, str):
        data["method"] = method[:60]
    for name in ("failure_code", "failure_message"):
        if isinstance(obj.get(name), str):
            data[name] = obj[name][:500]
    return [_canonical(event, obj, kind, data)]


def _period_end(sub: Mapping[str, Any]) -> int | None:
    if isinstance(sub.get("current_period_end"), int):
        return int(sub["current_period_end"])
    ends = [
        item["current_period_end"]
        for item in ((sub.get("items") or {}).get("data") or [])
        if isinstance(item.get("current_period_end"), int)
    ]
    return min(ends) if ends else None


def _subscription_data(sub: Mapping[str, Any]) -> EventData:
    status = str(_need(sub, "status", str))
    data: EventData = {
        "subscription_id": _need(sub, "id", str),
        "status": _STATUS.get(status, status),
    }
    if _period_end(sub) is not None:
        data["renews_at"] = _iso(_period_end(sub))
    if _iso(sub.get("cancel_at")):
        data["cancel_at"] = _iso(sub.get("cancel_at"))
    items = (sub.get("items") or {}).get("data") or []
    prices = [(i.get("price") or {}, int(i.get("quantity") or 1)) for i in items]
    amounts = [p["unit_amount"] * q for p, q in prices if isinstance(p.get("unit_amount"), int)]
    if amounts and isinstance(sub.get("currency"), str):
        currency = sub["currency"].upper()
        data |= {"currency": currency, "amount": from_minor(sum(amounts), currency)}
    if prices:
        recurring = prices[0][0].get("recurring") or {}
        if recurring.get("interval") in ("day", "week", "month", "year"):
            data["interval"] = recurring["interval"]
        if _id(prices[0][0].get("product")):
            data["product"] = _id(prices[0][0].get("product"))
        data["quantity"] = sum(q for _, q in prices)
    return data


def _subscription(
    event: Mapping[str, Any], obj: Mapping[str, Any], kind: str
) -> list[CanonicalEvent]:
    previous = (event.get("data") or {}).get("previous_attributes") or {}
    if kind == "subscription.updated" and "current_period_end" in previous:
        kind = "subscription.renewed" if obj.get("status") == "active" else kind
    return [_canonical(event, obj, kind, _subscription_data(obj))]


_Mapper = Callable[[Mapping[str, Any], Mapping[str, Any], str], list[CanonicalEvent]]
_MAPPERS: dict[str, tuple[str, _Mapper]] = {
    "invoice.finalized": ("invoice.posted", _invoice),
    "invoice.paid": ("invoice.paid", _invoice),
    "invoice.payment_failed": ("payment.failed", _invoice_payment),
    "invoice.voided": ("invoice.voided", _invoice),
    "invoice.marked_uncollectible": ("invoice.uncollectible", _invoice),
    "charge.succeeded": ("payment.succeeded", _charge),
    "charge.failed": ("payment.failed", _charge),
    "charge.refunded": ("payment.refunded", _charge),
    "customer.subscription.created": ("subscription.created", _subscription),
    "customer.subscription.updated": ("subscription.updated", _subscription),
    "customer.subscription.paused": ("subscription.updated", _subscription),
    "customer.subscription.resumed": ("subscription.updated", _subscription),
    "customer.subscription.deleted": ("subscription.cancelled", _subscription),
}
MAPPED_TYPES = tuple(sorted(_MAPPERS))


def canonical_events(event: object) -> list[CanonicalEvent]:
    """The canonical events a Stripe Event stands for ([] for a type not mapped).
    Raises :class:`StripeEventError` for an event this mapping cannot read."""
    if not isinstance(event, Mapping) or event.get("object") != "event":
        raise StripeEventError("", "not a Stripe Event object")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise StripeEventError("/id", "a Stripe Event has a string id and type")
    if _iso(event.get("created")) is None:
        raise StripeEventError("/created", "expected Unix seconds")
    mapped = _MAPPERS.get(event["type"])
    if mapped is None:
        return []
    obj = (event.get("data") or {}).get("object")
    if not isinstance(obj, Mapping):
        raise StripeEventError("/data/object", "the event carries no object")
    kind, mapper = mapped
    return mapper(event, obj, kind)
