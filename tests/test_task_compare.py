"""The steward's compare view over REST: the incoming record against the candidate's
member it was scored against, agreeing where the matcher's standardization agrees,
"missing" apart from "differs", personal data masked; bulk approve leaves identifier
conflicts to a steward's own look."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from canonical.commands import TaskSelection
from mdm.bootstrap import Container
from mdm.demo import load_demo
from mdm.queries.tasks import get_task, list_tasks
from tests.helpers import counts, put_ok

ERP = {
    "kind": "organization",
    "name": "Initech Corporation",
    "legal_form": "Inc.",
    "tax_id": "US123456789",
    "phone": "415.555.0100",
    "payment_terms": "net30",
    "address": {
        "line1": "1 Market Street",
        "city": "San Francisco",
        "postcode": "94105",
        "country": "US",
    },
}
BILLING = {
    "kind": "organization",
    "name": "INITECH  corporation",
    "legal_form": "Inc",
    "tax_id": "US987654321",
    "phone": "+1 415 555 0100",
    "email": "ap@initech.example",
    "address": {"line1": "1 Market St", "city": "san francisco", "country": "US"},
}


def rows_of(detail: dict[str, Any]) -> dict[str, tuple[Any, Any, str]]:
    return {r["attribute"]: (r["left"], r["right"], r["status"]) for r in detail["comparison"]}


def conflict_task(client: TestClient) -> dict[str, Any]:
    put_ok(client, "erp/customer/E1", ERP)
    assert put_ok(client, "billing/customer/B1", BILLING)["action"] == "review"
    [task] = client.get("/api/v1/stewardship/tasks").json()["items"]
    assert task["kind"] == "identifier_conflict"
    detail: dict[str, Any] = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    return detail


def test_values_that_agree_after_standardization_are_the_same_and_missing_is_not_differs(
    client: TestClient,
) -> None:
    detail = conflict_task(client)

    assert rows_of(detail) == {
        "address.city": ("san francisco", "San Francisco", "same"),
        "address.country": ("US", "US", "same"),
        "address.line1": ("1 Market St", "1 Market Street", "same"),
        "address.postcode": (None, "94105", "only_right"),
        "email": ("ap@initech.example", None, "only_left"),
        "kind": ("organization", "organization", "same"),
        "legal_form": ("Inc", "Inc.", "same"),
        "name": ("INITECH  corporation", "Initech Corporation", "same"),
        "payment_terms": (None, "net30", "only_right"),
        "phone": ("+1 415 555 0100", "415.555.0100", "same"),
        "tax_id": ("US987654321", "US123456789", "differs"),
    }
    assert [r["attribute"] for r in detail["comparison"] if r["conflict"]] == ["tax_id"]


def test_the_incoming_record_is_compared_with_the_member_it_was_scored_against(
    client: TestClient,
) -> None:
    detail = conflict_task(client)

    left, right = detail["compared"]["left"], detail["compared"]["right"]
    assert (left["source"], left["source_id"], left["chosen_by"]) == (
        "billing",
        "B1",
        "incoming record",
    )
    assert left["golden_id"] == detail["golden_id"]
    assert (right["source"], right["source_id"], right["chosen_by"]) == ("erp", "E1", "only member")
    assert right["golden_id"] == detail["candidate_golden_id"]


def test_of_several_members_the_best_scoring_one_is_compared(client: TestClient) -> None:
    gid = put_ok(client, "erp/customer/E1", ERP)["golden_id"]
    crm = {"kind": "organization", "name": "Initech Corp", "address": {"city": "San Francisco"}}
    assert (
        put_ok(client, "crm/customer/C1", {**crm, "address": {**crm["address"], "country": "US"}})[
            "golden_id"
        ]
        == gid
    )
    put_ok(client, "billing/customer/B1", BILLING)
    [task] = client.get("/api/v1/stewardship/tasks").json()["items"]

    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()

    right = detail["compared"]["right"]
    assert (right["source"], right["source_id"], right["chosen_by"]) == ("erp", "E1", "best score")
    assert rows_of(detail)["phone"] == ("+1 415 555 0100", "415.555.0100", "same")


def test_a_person_comparison_is_masked_for_a_steward_without_pii(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    person = {"kind": "person", "first_name": "Ada", "last_name": "Lovelace"}
    put_ok(
        client,
        "erp/customer/E1",
        {
            **person,
            "tax_id": "GB-AB123456C",
            "phone": "020 7946 0958",
            "address": {"country": "GB"},
        },
    )
    put_ok(client, "crm/customer/C1", {**person, "email": "ada@example.org"})
    both = {**person, "tax_id": "GB-AB123456C", "email": "ada@example.org"}
    # it joins one of the two and the pair of golden records goes to review
    assert put_ok(client, "billing/customer/B1", both)["action"] == "linked"
    [task] = client.get("/api/v1/stewardship/tasks").json()["items"]

    plain = client_as("steward").get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    seen = client_as("steward", "pii").get(f"/api/v1/stewardship/tasks/{task['id']}").json()

    secrets = {"GB-AB123456C", "ada@example.org", "020 7946 0958"}
    shown = {v for r in plain["comparison"] for v in (r["left"], r["right"])}
    sides = [plain["compared"][s]["attributes"] for s in ("left", "right")]
    assert shown & secrets == set()
    assert not any(secret in json.dumps(side) for side in sides for secret in secrets)
    assert "***" in shown
    assert secrets & {v for r in seen["comparison"] for v in (r["left"], r["right"])}
    assert [r["status"] for r in plain["comparison"]] == [r["status"] for r in seen["comparison"]]


def test_a_rule_breach_compares_the_two_golden_records(client: TestClient) -> None:
    put_ok(client, "erp/customer/A", {"kind": "organization", "name": "Alpha"})
    put_ok(client, "erp/customer/B", {"kind": "organization", "name": "Beta", "parent": "A"})
    client.put(
        "/api/v1/sources/erp/customer/A",
        json={"kind": "organization", "name": "Alpha", "parent": "B"},
    )
    [task] = client.get("/api/v1/stewardship/tasks", params={"kind": "hierarchy_cycle"}).json()[
        "items"
    ]

    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()

    assert [detail["compared"][s]["chosen_by"] for s in ("left", "right")] == [
        "golden record",
        "golden record",
    ]
    assert rows_of(detail)["name"] == ("Alpha", "Beta", "differs")


def test_bulk_approve_takes_match_reviews_only(client: TestClient) -> None:
    conflict_task(client)
    put_ok(
        client, "erp/customer/E2", {"kind": "organization", "name": "Acme", "tax_id": "DE811907980"}
    )
    put_ok(
        client,
        "crm/customer/C2",
        {"kind": "organization", "name": "Acme", "email": "ap@acme.example"},
    )
    both = {
        "kind": "organization",
        "name": "ACME",
        "tax_id": "DE811907980",
        "email": "ap@acme.example",
    }
    assert put_ok(client, "billing/customer/B2", both)["action"] == "linked"
    kinds = sorted(t["kind"] for t in client.get("/api/v1/stewardship/tasks").json()["items"])
    assert kinds == ["identifier_conflict", "match_review"]

    out = client.post(
        "/api/v1/stewardship/tasks/bulk-approve", json={"expected_count": 1, "reason": "batch"}
    )

    assert out.status_code == 200, out.text
    assert out.json()["approved"] == 1
    [left] = client.get("/api/v1/stewardship/tasks").json()["items"]
    assert left["kind"] == "identifier_conflict"


def test_bulk_approve_of_identifier_conflicts_is_refused_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    conflict_task(client)
    before = counts(engine)

    out = client.post(
        "/api/v1/stewardship/tasks/bulk-approve",
        json={"expected_count": 1, "reason": "batch", "kind": "identifier_conflict"},
    )

    assert out.status_code == 422
    assert out.json()["error"]["errors"][0]["pointer"] == "/kind"
    assert counts(engine) == before


def test_the_demo_data_set_ships_review_tasks_including_an_identifier_conflict(
    container: Container,
) -> None:
    load_demo(container.bus)

    page = container.bus.query(lambda uow: list_tasks(uow, TaskSelection()))
    kinds = sorted(t["kind"] for t in page["items"])
    [conflict] = [t for t in page["items"] if t["kind"] == "identifier_conflict"]
    detail = container.bus.query(
        lambda uow: get_task(uow, conflict["id"], matcher=container.matcher)
    )

    assert kinds == [
        "hierarchy_proposal",
        "hierarchy_proposal",
        "identifier_conflict",
        "match_review",
    ]
    rows = rows_of(detail)
    assert rows["registration_number"] == ("HRB 654321", "HRB123456", "differs")
    assert rows["address.line1"] == ("4120 Freidrich Lane", "4120 Freidrich Ln", "same")
    assert rows["name"] == ("Initech, LLC", "Initech LLC", "same")
