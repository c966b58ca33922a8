"""Building canonical events and posting them, for the transactional-event tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.helpers import counts

EVENT_TABLES = ("transactional_event", "transactional_object", "quarantine", "outbox")
ACME = {"kind": "organization", "name": "Acme GmbH", "tax_id": "DE123456789"}
GLOBEX = {"kind": "organization", "name": "Globex SA", "tax_id": "FR987654321"}


def at(day: int, hour: int = 9) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00Z"


def event(event_id: str, kind: str, customer: str, when: str, **data: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": kind,
        "occurred_at": when,
        "customer": {"source_id": customer},
        "data": data,
    }


def invoice(
    event_id: str,
    customer: str,
    when: str,
    invoice_id: str,
    kind: str = "invoice.posted",
    amount: str = "100.00",
    currency: str = "EUR",
    **data: Any,
) -> dict[str, Any]:
    return event(
        event_id,
        kind,
        customer,
        when,
        invoice_id=invoice_id,
        currency=currency,
        amount=amount,
        **data,
    )


def payment(
    event_id: str,
    customer: str,
    when: str,
    payment_id: str,
    kind: str = "payment.succeeded",
    amount: str = "100.00",
    currency: str = "EUR",
    **data: Any,
) -> dict[str, Any]:
    return event(
        event_id,
        kind,
        customer,
        when,
        payment_id=payment_id,
        currency=currency,
        amount=amount,
        **data,
    )


def post_events(client: TestClient, source: str, body: Any, **kw: Any) -> Any:
    return client.post(f"/api/v1/sources/{source}/events", json=body, **kw)


def posted(client: TestClient, source: str, events: list[dict[str, Any]]) -> list[str]:
    """Post a batch and return each result's status (fails the test on an HTTP error)."""
    r = post_events(client, source, events)
    assert r.status_code == 200, r.text
    return [x["status"] for x in r.json()["results"]]


def customer(client: TestClient, source: str, source_id: str, record: dict[str, Any]) -> str:
    r = client.put(f"/api/v1/sources/{source}/customer/{source_id}", json=record)
    assert r.status_code == 200, r.text
    gid: str = r.json()["golden_id"]
    return gid


def facts(client: TestClient, golden_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/golden/customer/{golden_id}/facts")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def transactions(client: TestClient, golden_id: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/golden/customer/{golden_id}/transactions", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def event_counts(engine: Engine) -> dict[str, int]:
    return counts(engine, EVENT_TABLES)


def links(engine: Engine) -> dict[str, str | None]:
    """event id -> golden id, for every stored event."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT event_id, golden_id FROM transactional_event")).all()
    return {e: g for e, g in rows}


def money(facts_body: dict[str, Any], currency: str) -> dict[str, str]:
    return next(m for m in facts_body["money"] if m["currency"] == currency)
