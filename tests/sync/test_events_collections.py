"""The collections branch end to end: a failed payment reaches CRM and support through
their normal deliveries, targets subscribed to ``customer.payment_failed`` get the
customer when one fails, and a Stripe event reported before the hub knew the Stripe
customer's id links when the dispatcher learns it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from sync.relay import plan_rows
from tests.events.events import at, customer, payment, posted
from tests.events.stripe_events import STRIPE_SECRET, post_stripe, stripe_charge, stripe_event
from tests.sync.hub import add_target, deliveries, dispatcher

ACME = {"kind": "organization", "name": "Acme GmbH", "tax_id": "DE123456789"}


def _fail(client: TestClient, sid: str, event_id: str, day: int) -> None:
    failed = payment(event_id, sid, at(day), f"PAY-{event_id}", kind="payment.failed")
    assert posted(client, "billing", [failed]) == ["stored"]


def test_crm_and_support_receive_the_payment_status_in_their_normal_deliveries(
    client: TestClient, container: Container, standins: Any
) -> None:
    salesforce, zendesk = standins("salesforce"), standins("zendesk")
    add_target(client, salesforce)
    add_target(client, zendesk)
    gid = customer(client, "billing", "C-1", ACME)
    d = dispatcher(container)
    d.run_until_idle()
    assert "MDM_Payment_Status__c" not in salesforce.app.account(gid)

    _fail(client, "C-1", "e1", 1)
    d.run_until_idle()

    assert salesforce.app.account(gid)["MDM_Payment_Status__c"] == "past_due"
    assert zendesk.app.organization(gid)["organization_fields"] == {"payment_status": "past_due"}

    succeeded = payment("e2", "C-1", at(2), "PAY-e2")
    posted(client, "billing", [succeeded])
    d.run_until_idle()
    assert salesforce.app.account(gid)["MDM_Payment_Status__c"] == "current"


def test_a_target_subscribed_to_payment_failures_gets_the_customer_only_then(
    client: TestClient, container: Container, standins: Any
) -> None:
    zendesk = standins("zendesk")
    add_target(client, zendesk, entity_types=["customer.payment_failed"])
    gid = customer(client, "billing", "C-1", ACME)
    other = customer(client, "billing", "C-2", {**ACME, "name": "Globex", "tax_id": "FR1"})
    d = dispatcher(container)
    d.run_until_idle()
    assert deliveries(client, target="zendesk") == []

    _fail(client, "C-1", "e1", 1)
    d.run_until_idle()

    [delivered] = deliveries(client, target="zendesk")
    assert delivered["golden_id"] == gid and delivered["state"] == "delivered"
    assert zendesk.app.organization(gid)["organization_fields"] == {"payment_status": "past_due"}
    assert zendesk.app.organization(other) is None


def test_plan_rows_routes_an_integration_event_by_its_topic_at_the_version_it_names() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    failed = {
        "event_type": "mdm.customer.payment_failed.v1",
        "subject": "g1",
        "entity_type": "customer",
        "golden_version": None,
        "envelope": {"data": {"golden_version": 7, "parent_id": "g0"}},
        "correlation_id": "c1",
        "created_at": now,
    }
    other = {**failed, "event_type": "mdm.customer.something_else.v1"}
    targets = [
        {"name": "collect", "enabled": True, "entity_types": ["customer.payment_failed"]},
        {"name": "crm", "enabled": True, "entity_types": ["customer"]},
    ]

    rows = plan_rows([failed, other], targets, now)

    assert [
        (r["target"], r["golden_id"], r["wanted_version"], r["parent_golden_id"]) for r in rows
    ] == [("collect", "g1", 7, "g0")]


def test_a_stripe_event_for_a_customer_id_stripe_had_not_yet_given_links_when_it_does(
    client: TestClient, container: Container, standins: Any
) -> None:
    stripe = standins("stripe")
    add_target(client, stripe)
    r = client.put(
        "/api/v1/sources/billing/webhook", json={"scheme": "stripe", "secret": STRIPE_SECRET}
    )
    assert r.status_code == 201
    gid = customer(client, "crm", "A-1", ACME)
    # the stand-in numbers its customers: the first it creates is this one
    cus = "cus_00000000000001"
    failed = stripe_charge("ch_1", cus, status="failed", failure_code="card_declined")
    early = post_stripe(client, stripe_event("evt_1", "charge.failed", failed))
    assert early.json()["results"][0]["status"] == "parked"

    dispatcher(container).run_until_idle()

    assert stripe.app.live_customers(gid)[0]["id"] == cus
    golden = client.get(f"/api/v1/golden/customer/{gid}").json()
    assert golden["attributes"]["payment_status"] == "past_due"
    facts = client.get(f"/api/v1/golden/customer/{gid}/facts").json()
    assert facts["last_payment"]["status"] == "failed"
