"""Quarantine lifecycle: one entry per rejected payload (with a count), resolved when a
later version of the record is accepted, discarded with a reason by a steward."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.helpers import counts, put_ok, strict

BAD = {"kind": "organization", "name": "Acme", "email": "not-an-email"}


@pytest.fixture(autouse=True)
def _strict_crm(client: TestClient) -> None:
    # rejected payloads: a lenient source would take these in without the bad email
    strict(client, "crm")


def _open(client: TestClient) -> list[dict]:
    items: list[dict] = client.get("/api/v1/quarantine").json()["items"]
    return items


def test_the_same_bad_payload_twice_is_one_entry_with_a_count(client: TestClient) -> None:
    first = client.put("/api/v1/sources/crm/customer/C1", json=BAD).json()
    second = client.put("/api/v1/sources/crm/customer/C1", json=BAD).json()

    [entry] = _open(client)
    assert entry["count"] == 2
    assert first["error"]["quarantine_id"] == second["error"]["quarantine_id"] == entry["id"]


def test_an_accepted_later_version_resolves_the_records_open_entries(client: TestClient) -> None:
    client.put("/api/v1/sources/crm/customer/C1", json=BAD)
    client.put("/api/v1/sources/crm/customer/C1", json={**BAD, "email": "also bad"})
    other = client.put("/api/v1/sources/crm/customer/C2", json=BAD).json()["error"]["quarantine_id"]

    put_ok(client, "crm/customer/C1", {**BAD, "email": "ap@acme.example"})

    assert [e["id"] for e in _open(client)] == [other]
    resolved = client.get("/api/v1/quarantine", params={"status": "resolved"}).json()["items"]
    assert {e["source_id"] for e in resolved} == {"C1"}
    assert resolved[0]["resolution"] == "a later version was accepted"


def test_a_steward_discards_an_entry_with_a_reason(client: TestClient, engine: Engine) -> None:
    qid = client.put("/api/v1/sources/crm/customer/C1", json=BAD).json()["error"]["quarantine_id"]
    before = counts(engine, ("quarantine", "audit_log"))

    no_reason = client.post(f"/api/v1/quarantine/{qid}/discard", json={"reason": ""})
    after_refusal = counts(engine, ("quarantine", "audit_log"))
    done = client.post(f"/api/v1/quarantine/{qid}/discard", json={"reason": "test data"})
    again = client.post(f"/api/v1/quarantine/{qid}/discard", json={"reason": "again"})

    assert no_reason.status_code == 422 and after_refusal == before
    assert done.status_code == 200 and done.json()["status"] == "discarded"
    assert again.status_code == 409
    entry = client.get(f"/api/v1/quarantine/{qid}").json()
    assert (entry["status"], entry["resolution"]) == ("discarded", "test data")
    audit = client.get("/api/v1/audit", params={"target_id": qid}).json()["entries"]
    assert [a["action"] for a in audit] == ["quarantine_discarded"]
    assert _open(client) == []
