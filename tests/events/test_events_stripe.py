"""Stripe webhooks: Stripe's signature scheme, its events mapped to canonical events, and
customers found through the crosswalk of the Stripe customers the hub created."""

from __future__ import annotations

import time

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from mdm.db.types import utcnow
from mdm.db.uow import run_in_transaction
from tests.events.events import ACME, customer, event_counts, facts, money, transactions
from tests.events.stripe_events import (
    CREATED,
    STRIPE_SECRET,
    post_stripe,
    stripe_charge,
    stripe_event,
    stripe_invoice,
    stripe_subscription,
)
from tests.helpers import outbox

CUSTOMER = "cus_Q8xRk2LmT5vNb1"


@pytest.fixture
def acme(client: TestClient, engine: Engine) -> str:
    """A golden customer the hub pushed to Stripe, which called it CUSTOMER."""
    gid = customer(client, "crm", "A-1", ACME)
    r = client.put(
        "/api/v1/sources/billing/webhook", json={"scheme": "stripe", "secret": STRIPE_SECRET}
    )
    assert r.status_code == 201, r.text
    row = {
        "target": "stripe",
        "golden_id": gid,
        "entity_type": "customer",
        "source": "billing",
        "target_id": CUSTOMER,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    run_in_transaction(engine, lambda uow: uow.crosswalk.put([row]))
    return gid


def test_a_finalized_invoice_of_a_stripe_customer_the_hub_made_is_its_receivable(
    client: TestClient, acme: str
) -> None:
    event = stripe_event("evt_1", "invoice.finalized", stripe_invoice("in_1", CUSTOMER))

    r = post_stripe(client, event)

    assert r.status_code == 200, r.text
    assert [(x["id"], x["status"], x["golden_id"]) for x in r.json()["results"]] == [
        ("evt_1", "stored", acme)
    ]
    body = facts(client, acme)
    assert money(body, "EUR") | {"currency": "EUR"} == {
        "currency": "EUR",
        "booked": "0.00",
        "invoiced": "1190.00",
        "paid": "0.00",
        "refunded": "0.00",
        "receivable": "1190.00",
        "overdue": "0.00",
    }
    [stored] = transactions(client, acme)
    assert stored["data"]["due_date"] == "2100-01-01"
    assert stored["data"]["subscription_id"] == "sub_1"


def test_a_paid_renewal_invoice_closes_it_and_renews_the_subscription(
    client: TestClient, acme: str
) -> None:
    post_stripe(
        client, stripe_event("evt_1", "invoice.finalized", stripe_invoice("in_1", CUSTOMER))
    )
    paid = stripe_invoice("in_1", CUSTOMER, status="paid", amount_paid=119000, amount_remaining=0)

    r = post_stripe(client, stripe_event("evt_2", "invoice.paid", paid, created=CREATED + 60))

    assert [x["type"] for x in r.json()["results"]] == ["invoice.paid", "subscription.renewed"]
    body = facts(client, acme)
    assert (body["open_invoices"], money(body, "EUR")["receivable"]) == (0, "0.00")
    assert body["subscription"] == {
        "status": "active",
        "renews_at": "2026-04-01T09:00:00Z",
        "running": 1,
        "total": 1,
    }


def test_a_failed_invoice_payment_puts_the_customer_in_collections(
    client: TestClient, engine: Engine, acme: str
) -> None:
    failed = stripe_invoice("in_1", CUSTOMER, charge="ch_1", attempt_count=2)

    post_stripe(client, stripe_event("evt_9", "invoice.payment_failed", failed))

    golden = client.get(f"/api/v1/golden/customer/{acme}").json()
    assert golden["attributes"]["payment_status"] == "past_due"
    assert golden["lineage"]["payment_status"]["source_id"] == "evt_9"
    [raised] = [e for e in outbox(engine) if e["type"] == "mdm.customer.payment_failed.v1"]
    assert raised["subject"] == acme
    assert raised["data"] | {"occurred_at": None} == {
        "golden_id": acme,
        "golden_version": golden["version"],
        "payment_status": "past_due",
        "parent_id": None,
        "source": "billing",
        "source_event_id": "evt_9",
        "payment_id": "ch_1",
        "invoice_id": "in_1",
        "amount": "1190.00",
        "currency": "EUR",
        "failure_code": None,
        "failure_message": None,
        "occurred_at": None,
    }


def test_an_invoice_past_its_due_date_is_overdue(client: TestClient, acme: str) -> None:
    late = stripe_invoice("in_1", CUSTOMER, due_date=CREATED + 14 * 86400)

    post_stripe(client, stripe_event("evt_1", "invoice.finalized", late))

    assert money(facts(client, acme), "EUR")["overdue"] == "1190.00"


def test_a_refunded_charge_is_paid_net_of_the_refund(client: TestClient, acme: str) -> None:
    post_stripe(client, stripe_event("evt_1", "charge.succeeded", stripe_charge("ch_1", CUSTOMER)))
    refunded = stripe_charge("ch_1", CUSTOMER, amount_refunded=19000, refunded=False)

    post_stripe(client, stripe_event("evt_2", "charge.refunded", refunded, created=CREATED + 5))

    eur = money(facts(client, acme), "EUR")
    assert (eur["paid"], eur["refunded"]) == ("1000.00", "190.00")


def test_a_subscription_update_that_moves_the_period_is_a_renewal(
    client: TestClient, acme: str
) -> None:
    subscription = stripe_subscription("sub_1", CUSTOMER, current_period_end=CREATED + 86400)
    updated = stripe_event(
        "evt_3",
        "customer.subscription.updated",
        subscription,
        previous_attributes={"current_period_end": CREATED},
    )

    r = post_stripe(client, updated)

    assert r.json()["results"][0]["type"] == "subscription.renewed"
    [stored] = transactions(client, acme)
    assert stored["data"] == {
        "subscription_id": "sub_1",
        "status": "active",
        "renews_at": "2026-03-02T09:00:00Z",
        "currency": "EUR",
        "amount": "1190.00",
        "interval": "month",
        "product": "prod_1",
        "quantity": 2,
    }


def test_several_v1_signatures_during_a_secret_roll_and_the_tolerance(
    client: TestClient, engine: Engine, acme: str
) -> None:
    event = stripe_event("evt_1", "charge.succeeded", stripe_charge("ch_1", CUSTOMER))
    old = int(time.time()) - 301
    before = event_counts(engine)

    stale = post_stripe(client, event, stamp=old)
    unsigned_by_us = post_stripe(client, event, secrets=("whsec_someone_elses_key_0000",))
    unsigned = post_stripe(client, orjson.dumps(event), secrets=())
    changed = {**event, "data": {"object": stripe_charge("ch_1", CUSTOMER, amount=1)}}
    tampered = post_stripe(client, changed, signed_body=orjson.dumps(event))
    after_refusals = event_counts(engine)
    rolling = post_stripe(client, event, secrets=("whsec_the_next_secret_00000", STRIPE_SECRET))

    refused = (stale, unsigned_by_us, unsigned, tampered)
    assert [r.status_code for r in refused] == [401] * 4
    assert [r.json()["error"]["code"] for r in refused] == [
        "stale_timestamp",
        "bad_signature",
        "missing_signature",
        "bad_signature",
    ]
    assert after_refusals == before
    assert rolling.status_code == 200
    assert rolling.json()["results"][0]["status"] == "stored"


def test_an_event_type_not_mapped_is_acknowledged_and_ignored(
    client: TestClient, engine: Engine, acme: str
) -> None:
    before = event_counts(engine)

    r = post_stripe(client, stripe_event("evt_1", "customer.created", {"id": CUSTOMER}))

    assert r.json() == {"received": "evt_1", "ignored": True, "results": []}
    assert event_counts(engine) == before


def test_a_stripe_event_the_mapping_cannot_read_is_quarantined(
    client: TestClient, engine: Engine, acme: str
) -> None:
    no_customer = stripe_charge("ch_1", None)
    before = event_counts(engine)

    r = post_stripe(client, stripe_event("evt_1", "charge.failed", no_customer))

    assert r.status_code == 422
    assert r.json()["error"]["errors"][0]["pointer"] == "/data/object/customer"
    assert event_counts(engine) == {**before, "quarantine": before["quarantine"] + 1}


def test_a_stripe_customer_the_hub_does_not_know_is_parked(client: TestClient, acme: str) -> None:
    event = stripe_event("evt_1", "charge.succeeded", stripe_charge("ch_1", "cus_Unknown00000"))

    r = post_stripe(client, event)

    assert r.json()["results"][0]["status"] == "parked"
