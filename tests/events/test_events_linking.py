"""Events tie to the right golden customer: parked until the customer is known, linked in
the transaction that makes it known, and moved with it through merges, unmerges and
splits (back exactly where they were)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from mdm.db.types import utcnow
from mdm.db.uow import run_in_transaction
from tests.events.events import (
    ACME,
    GLOBEX,
    at,
    customer,
    facts,
    invoice,
    links,
    money,
    payment,
    posted,
    transactions,
)
from tests.helpers import outbox

REASON = "same company"


def _merge(client: TestClient, survivor: str, merged: str) -> dict[str, Any]:
    r = client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": survivor, "merged": [merged], "reason": REASON},
    )
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def _unmerge(client: TestClient, survivor: str, merged: str) -> None:
    r = client.post(
        f"/api/v1/golden/customer/{survivor}/unmerge", json={"merged": merged, "reason": "no"}
    )
    assert r.status_code == 200, r.text


def _golden(client: TestClient, gid: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/golden/customer/{gid}")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_events_of_an_unknown_customer_are_parked_then_linked_when_its_record_arrives(
    client: TestClient, engine: Engine
) -> None:
    statuses = posted(
        client,
        "billing",
        [
            invoice("e1", "C-9", at(1), "INV-1"),
            payment("e2", "C-9", at(2), "PAY-1", kind="payment.failed", invoice_id="INV-1"),
        ],
    )
    assert statuses == ["parked", "parked"]
    assert set(links(engine).values()) == {None}
    assert not [e for e in outbox(engine) if e["type"] == "mdm.customer.payment_failed.v1"]

    gid = customer(client, "billing", "C-9", ACME)

    assert links(engine) == {"e1": gid, "e2": gid}
    assert money(facts(client, gid), "EUR")["receivable"] == "100.00"
    assert _golden(client, gid)["attributes"]["payment_status"] == "past_due"
    [raised] = [e for e in outbox(engine) if e["type"] == "mdm.customer.payment_failed.v1"]
    assert (raised["subject"], raised["data"]["source_event_id"]) == (gid, "e2")


def test_only_the_arriving_customers_parked_events_link_in_a_batch(
    client: TestClient, engine: Engine
) -> None:
    posted(
        client, "billing", [invoice("e1", "C-1", at(1), "I-1"), invoice("e2", "C-2", at(1), "I-2")]
    )

    r = client.post(
        "/api/v1/sources/billing/customer/batch",
        json=[{"source_id": "C-1", "record": ACME}, {"source_id": "C-3", "record": GLOBEX}],
    )

    gid = r.json()["results"][0]["golden_id"]
    assert links(engine) == {"e1": gid, "e2": None}


def test_an_event_of_another_sources_customer_names_that_source(
    client: TestClient, engine: Engine
) -> None:
    gid = customer(client, "crm", "A-1", ACME)
    case = {
        "id": "t-1",
        "type": "case.opened",
        "occurred_at": at(1),
        "customer": {"source_id": "A-1", "source": "crm"},
        "data": {"case_id": "T-1", "subject": "Invoice wrong", "priority": "high"},
    }

    assert posted(client, "support", [case]) == ["stored"]
    assert facts(client, gid)["open_cases"] == 1


def test_a_merge_moves_the_events_to_the_survivor_and_an_unmerge_moves_them_back(
    client: TestClient, engine: Engine
) -> None:
    acme = customer(client, "crm", "A-1", ACME)
    globex = customer(client, "billing", "G-1", GLOBEX)
    posted(client, "crm", [payment("a1", "A-1", at(1), "PA-1", amount="10.00")])
    posted(client, "billing", [payment("g1", "G-1", at(3), "PG-1", kind="payment.failed")])
    before = {gid: (facts(client, gid), _golden(client, gid)) for gid in (acme, globex)}
    assert before[globex][1]["attributes"]["payment_status"] == "past_due"
    assert "payment_status" not in before[acme][1]["attributes"]  # never in collections

    merged = _merge(client, acme, globex)

    assert links(engine) == {"a1": acme, "g1": acme}
    assert _golden(client, acme)["attributes"]["payment_status"] == "past_due"
    assert _golden(client, acme)["version"] == merged["version"]  # no version of its own
    assert facts(client, globex)["resolved_from"] == globex
    assert facts(client, globex)["golden_id"] == acme
    assert {t["id"] for t in transactions(client, globex)} == {"a1", "g1"}
    # an event of the merged-away customer's record, while merged, goes to the survivor
    posted(client, "billing", [invoice("g2", "G-1", at(4), "IG-2")])
    assert links(engine)["g2"] == acme

    _unmerge(client, acme, globex)

    assert links(engine) == {"a1": acme, "g1": globex, "g2": globex}
    assert _golden(client, acme)["attributes"]["payment_status"] == "current"
    assert _golden(client, globex)["attributes"]["payment_status"] == "past_due"
    assert facts(client, acme) == before[acme][0]
    assert facts(client, globex)["open_invoices"] == 1


def test_events_found_through_the_crosswalk_follow_merges_too(
    client: TestClient, engine: Engine
) -> None:
    acme = customer(client, "crm", "A-1", ACME)
    globex = customer(client, "crm", "G-1", GLOBEX)
    row = {
        "target": "stripe",
        "golden_id": globex,
        "entity_type": "customer",
        "source": "billing",
        "target_id": "cus_G",
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }
    run_in_transaction(engine, lambda uow: uow.crosswalk.put([row]))
    posted(client, "billing", [invoice("s1", "cus_G", at(1), "in_1")])
    assert links(engine) == {"s1": globex}

    _merge(client, acme, globex)
    posted(client, "billing", [invoice("s2", "cus_G", at(2), "in_2")])
    assert links(engine) == {"s1": acme, "s2": acme}

    _unmerge(client, acme, globex)
    assert links(engine) == {"s1": globex, "s2": globex}
    assert facts(client, acme)["open_invoices"] == 0


def test_a_split_record_takes_its_events_along(client: TestClient, engine: Engine) -> None:
    acme = customer(client, "crm", "A-1", ACME)
    same = customer(client, "billing", "B-1", {**ACME, "name": "ACME GmbH"})
    assert same == acme
    posted(client, "crm", [invoice("c1", "A-1", at(1), "I-1")])
    posted(client, "billing", [invoice("b1", "B-1", at(1), "I-2")])

    r = client.post(
        f"/api/v1/golden/customer/{acme}/split",
        json={"source": "billing", "source_id": "B-1", "reason": "a different company"},
    )

    new = r.json()["new_golden_id"]
    assert links(engine) == {"c1": acme, "b1": new}
    assert (facts(client, acme)["open_invoices"], facts(client, new)["open_invoices"]) == (1, 1)
