"""Stripe Event objects as a webhook endpoint receives them (trimmed to the fields that
matter here, in Stripe's shapes: https://docs.stripe.com/api/events/object), and posting
them signed the way Stripe signs."""

from __future__ import annotations

import time
from typing import Any

import orjson
from fastapi.testclient import TestClient

from contracts.inbound import sign_stripe

STRIPE_SECRET = "whsec_test_5mB7c0fAqk1RzN2wXyP9"
CREATED = 1772355600  # 2026-03-01T09:00:00Z
DUE = 4102444800  # 2100-01-01: never overdue while these tests run


def stripe_event(
    event_id: str, kind: str, obj: dict[str, Any], *, created: int = CREATED, **extra: Any
) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": created,
        "data": {"object": obj, **extra},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }


def stripe_invoice(invoice_id: str, customer: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "currency": "eur",
        "total": 119000,
        "amount_due": 119000,
        "amount_paid": 0,
        "amount_remaining": 119000,
        "status": "open",
        "number": "ACME-0001",
        "due_date": DUE,
        "billing_reason": "subscription_cycle",
        "attempt_count": 1,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": "sub_1"},
        },
        "lines": {
            "object": "list",
            "data": [{"id": "il_1", "period": {"start": CREATED, "end": CREATED + 31 * 86400}}],
        },
        **fields,
    }


def stripe_charge(charge_id: str, customer: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": charge_id,
        "object": "charge",
        "customer": customer,
        "amount": 119000,
        "amount_captured": 119000,
        "amount_refunded": 0,
        "currency": "eur",
        "status": "succeeded",
        "paid": True,
        "refunded": False,
        "payment_method_details": {"type": "card"},
        "failure_code": None,
        "failure_message": None,
        **fields,
    }


def stripe_subscription(sub_id: str, customer: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": "active",
        "currency": "eur",
        "cancel_at": None,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "quantity": 2,
                    "current_period_start": CREATED,
                    "current_period_end": CREATED + 31 * 86400,
                    "price": {
                        "id": "price_1",
                        "unit_amount": 59500,
                        "currency": "eur",
                        "product": "prod_1",
                        "recurring": {"interval": "month", "interval_count": 1},
                    },
                }
            ],
        },
        **fields,
    }


def post_stripe(
    client: TestClient,
    event: dict[str, Any] | bytes,
    *,
    secrets: tuple[str, ...] = (STRIPE_SECRET,),
    stamp: int | None = None,
    source: str = "billing",
    signed_body: bytes | None = None,
) -> Any:
    """Post as Stripe does: no API key, ``Stripe-Signature: t=...,v1=...`` (one ``v1`` per
    secret, as during a secret roll)."""
    body = event if isinstance(event, bytes) else orjson.dumps(event)
    stamp = stamp if stamp is not None else int(time.time())
    v1s = [sign_stripe(s, stamp, signed_body or body).split(",", 1)[1] for s in secrets]
    header = ",".join([f"t={stamp}", *v1s, "v0=6ffbb59b2300aae63f272406069a9788598b792a944a07"])
    return TestClient(client.app).post(
        f"/api/v1/webhooks/stripe/{source}",
        content=body,
        headers={"content-type": "application/json; charset=utf-8", "stripe-signature": header},
    )
