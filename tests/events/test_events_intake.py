"""The canonical event intake: exactly once, newest state wins, bad input names the field
and writes nothing but its quarantine entry."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.events.events import (
    ACME,
    at,
    customer,
    event,
    event_counts,
    facts,
    invoice,
    money,
    payment,
    post_events,
    posted,
    transactions,
)


def test_an_event_of_a_known_customer_is_stored_against_its_golden_record(
    client: TestClient,
) -> None:
    gid = customer(client, "billing", "C-1", ACME)

    r = post_events(client, "billing", invoice("e1", "C-1", at(1), "INV-1", amount="1250.00"))

    assert r.status_code == 200, r.text
    assert r.json() == {
        "index": 0,
        "id": "e1",
        "status": "stored",
        "type": "invoice.posted",
        "object_id": "INV-1",
        "golden_id": gid,
    }
    assert money(facts(client, gid), "EUR")["receivable"] == "1250.00"


def test_the_same_event_again_is_a_duplicate_and_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    batch = [
        invoice("e1", "C-1", at(1), "INV-1"),
        payment("e2", "C-1", at(2), "PAY-1", invoice_id="INV-1"),
    ]
    assert posted(client, "billing", batch) == ["stored", "stored"]
    before, facts_before = event_counts(engine), facts(client, gid)

    again = posted(client, "billing", [*batch, batch[0]])

    assert again == ["duplicate", "duplicate", "duplicate"]
    assert event_counts(engine) == before
    assert facts(client, gid) == facts_before


def test_a_repeated_id_within_one_batch_is_applied_once(client: TestClient, engine: Engine) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    first = invoice("e1", "C-1", at(1), "INV-1", amount="10.00")
    changed = invoice("e1", "C-1", at(2), "INV-1", amount="99.00")

    r = post_events(client, "billing", [first, changed])

    assert [x["status"] for x in r.json()["results"]] == ["stored", "duplicate"]
    assert [x["golden_id"] for x in r.json()["results"]] == [gid, gid]
    assert event_counts(engine)["transactional_event"] == 1
    assert money(facts(client, gid), "EUR")["invoiced"] == "10.00"


def test_an_older_event_is_kept_in_history_but_does_not_overwrite_newer_state(
    client: TestClient,
) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    paid = invoice("e2", "C-1", at(5), "INV-1", kind="invoice.paid")
    posted_late = invoice("e1", "C-1", at(1), "INV-1")

    assert posted(client, "billing", [paid]) == ["stored"]
    assert posted(client, "billing", [posted_late]) == ["stale"]

    body = facts(client, gid)
    assert body["open_invoices"] == 0
    assert money(body, "EUR")["receivable"] == "0.00"
    history = transactions(client, gid)
    assert [(t["id"], t["outcome"]) for t in history] == [("e2", "applied"), ("e1", "stale")]


def test_at_the_same_instant_the_later_lifecycle_stage_wins(client: TestClient) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    same_second = at(3)

    statuses = posted(
        client,
        "billing",
        [
            invoice("e2", "C-1", same_second, "INV-1", kind="invoice.paid"),
            invoice("e1", "C-1", same_second, "INV-1"),
        ],
    )

    assert statuses == ["stored", "stale"]
    assert facts(client, gid)["open_invoices"] == 0


def test_the_sources_versions_order_events_when_both_carry_one(client: TestClient) -> None:
    gid = customer(client, "crm", "C-1", ACME)
    newer = {
        **event(
            "o2", "order.amended", "C-1", at(1), order_id="O-1", currency="USD", amount="80.00"
        ),
        "version": 2,
    }
    older = {
        **event("o1", "order.booked", "C-1", at(9), order_id="O-1", currency="USD", amount="50.00"),
        "version": 1,
    }

    assert posted(client, "crm", [newer, older]) == ["stored", "stale"]
    assert money(facts(client, gid), "USD")["booked"] == "80.00"


def test_an_invalid_event_is_422_names_each_field_and_writes_only_its_quarantine_entry(
    client: TestClient, engine: Engine
) -> None:
    customer(client, "billing", "C-1", ACME)
    before = event_counts(engine)
    bad = invoice("e1", "C-1", at(1), "INV-1")
    bad["data"] |= {"amount": 12.5, "discount": "5"}

    r = post_events(client, "billing", bad)

    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert [(e["pointer"], e["code"]) for e in error["errors"]] == [
        ("/data/amount", "type"),
        ("/data/discount", "unknown_field"),
    ]
    assert event_counts(engine) == {**before, "quarantine": before["quarantine"] + 1}
    kept = client.get(f"/api/v1/quarantine/{error['quarantine_id']}").json()
    assert (kept["entity_type"], kept["source_id"], kept["payload"]) == ("event", "e1", bad)


def test_an_unknown_type_or_a_float_amount_never_reaches_the_state(
    client: TestClient, engine: Engine
) -> None:
    customer(client, "billing", "C-1", ACME)

    r = post_events(
        client,
        "billing",
        [
            event("e1", "invoice.sent", "C-1", at(1), invoice_id="I", currency="EUR", amount="1"),
            invoice("e2", "C-1", "2026-03-01", "INV-2"),
            invoice("e3", "C-1", at(1), "INV-3", currency="euro"),
            payment("e4", "C-1", at(1), "P-1", amount_refunded="500.00"),
            invoice("e5", "C-1", at(1), "INV-5"),
        ],
    )

    results = r.json()["results"]
    assert [x["status"] for x in results] == ["rejected"] * 4 + ["stored"]
    assert [x["errors"][0]["pointer"] for x in results[:4]] == [
        "/type",
        "/occurred_at",
        "/data/currency",
        "/data/amount_refunded",
    ]
    assert r.json()["summary"] == {"rejected": 4, "stored": 1}
    assert event_counts(engine)["transactional_object"] == 1


def test_a_batch_over_the_limit_is_refused_whole(client: TestClient, engine: Engine) -> None:
    before = event_counts(engine)
    batch = [invoice(f"e{i}", "C-1", at(1), f"INV-{i}") for i in range(1001)]

    r = post_events(client, "billing", batch)

    assert r.status_code == 413
    assert event_counts(engine) == before


def test_only_the_sources_own_key_may_post_its_events(
    client_as: Callable[..., TestClient], engine: Engine
) -> None:
    before = event_counts(engine)
    crm_writer, billing_writer = client_as("source:crm"), client_as("source:billing")
    anonymous = TestClient(crm_writer.app)

    forbidden = post_events(crm_writer, "billing", invoice("e1", "C-1", at(1), "INV-1"))
    unauthenticated = post_events(anonymous, "billing", invoice("e1", "C-1", at(1), "INV-1"))
    allowed = post_events(billing_writer, "billing", invoice("e1", "C-1", at(1), "INV-1"))

    assert (forbidden.status_code, unauthenticated.status_code) == (403, 401)
    assert allowed.status_code == 200 and allowed.json()["status"] == "parked"
    assert event_counts(engine)["transactional_event"] == before["transactional_event"] + 1


def test_an_unknown_source_is_404_and_writes_nothing(client: TestClient, engine: Engine) -> None:
    before = event_counts(engine)

    r = post_events(client, "nope", invoice("e1", "C-1", at(1), "INV-1"))

    assert (r.status_code, r.json()["error"]["code"]) == (404, "unknown_source")
    assert event_counts(engine) == before


def test_a_quarantined_event_resubmitted_corrected_is_stored(client: TestClient) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    bad = invoice("e1", "C-1", at(1), "INV-1", amount="12,50")
    quarantine_id = post_events(client, "billing", bad).json()["error"]["quarantine_id"]

    r = client.post(
        f"/api/v1/quarantine/{quarantine_id}/resubmit",
        json={"record": invoice("e1", "C-1", at(1), "INV-1", amount="12.50")},
    )

    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["golden_id"]) == ("stored", gid)
    assert client.get(f"/api/v1/quarantine/{quarantine_id}").json()["status"] == "resubmitted"
    assert money(facts(client, gid), "EUR")["receivable"] == "12.50"


def test_payments_of_a_customer_never_in_collections_change_no_golden_record(
    client: TestClient,
) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    version = client.get(f"/api/v1/golden/customer/{gid}").json()["version"]

    posted(client, "billing", [payment("p1", "C-1", at(1), "PAY-1")])
    unchanged = client.get(f"/api/v1/golden/customer/{gid}").json()
    posted(client, "billing", [payment("p2", "C-1", at(2), "PAY-2", kind="payment.failed")])
    past_due = client.get(f"/api/v1/golden/customer/{gid}").json()
    posted(client, "billing", [payment("p3", "C-1", at(3), "PAY-3")])
    recovered = client.get(f"/api/v1/golden/customer/{gid}").json()

    assert (unchanged["version"], "payment_status" in unchanged["attributes"]) == (version, False)
    assert facts(client, gid)["payment_status"] == "current"
    assert (past_due["version"], past_due["attributes"]["payment_status"]) == (
        version + 1,
        "past_due",
    )
    assert (recovered["version"], recovered["attributes"]["payment_status"]) == (
        version + 2,
        "current",
    )
