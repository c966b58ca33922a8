"""Lenient validation (the default per source): a record whose only faults are malformed
optional values is taken in without them, each kept as a data-quality issue a steward can
list and fix; a strict source refuses it whole; what is not the entity is always refused."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.helpers import counts, put_ok, strict

PERSON = {
    "kind": "person",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1964-02-31",
    "address": {"line1": "12 St James's Square", "city": "London", "country": "Holland"},
}


def _stored(engine: Engine, source_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        payload = conn.execute(
            text("SELECT payload FROM source_record WHERE source_id = :s"), {"s": source_id}
        ).scalar_one()
    return payload if isinstance(payload, dict) else orjson.loads(payload)


def _issues(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/v1/quarantine?status=issue").json()["items"]
    return items


def test_a_malformed_birth_date_and_a_country_name_do_not_refuse_the_record(
    client: TestClient, engine: Engine
) -> None:
    out = put_ok(client, "crm/customer/P1", PERSON)

    assert out["action"] == "created"
    assert sorted((i["pointer"], i["code"]) for i in out["issues"]) == [
        ("/address/country", "mapped"),
        ("/date_of_birth", "left_out"),
    ]
    stored = _stored(engine, "P1")
    assert "date_of_birth" not in stored
    assert stored["address"]["country"] == "NL"
    [issue] = _issues(client)
    assert issue["id"] == out["quarantine_id"]
    assert issue["source_id"] == "P1"
    detail = client.get(f"/api/v1/quarantine/{issue['id']}").json()
    assert detail["payload"] == PERSON  # as the source sent it: nothing is lost


def test_the_same_payload_again_changes_nothing_and_counts_on_the_same_issue(
    client: TestClient, engine: Engine
) -> None:
    put_ok(client, "crm/customer/P1", PERSON)
    before = counts(engine)

    again = put_ok(client, "crm/customer/P1", PERSON)

    assert again["action"] == "unchanged"
    assert counts(engine) == before
    [issue] = _issues(client)
    assert issue["count"] == 2


def test_a_clean_later_version_resolves_the_issue(client: TestClient) -> None:
    put_ok(client, "crm/customer/P1", PERSON)

    fixed = put_ok(
        client,
        "crm/customer/P1",
        {
            **PERSON,
            "date_of_birth": "1964-02-29",
            "address": {**PERSON["address"], "country": "NL"},
        },
    )

    assert "issues" not in fixed
    assert _issues(client) == []


def test_a_steward_fixes_an_issue_by_resubmitting_a_corrected_record(
    client: TestClient, engine: Engine
) -> None:
    qid = put_ok(client, "crm/customer/P1", PERSON)["quarantine_id"]

    still_bad = client.post(f"/api/v1/quarantine/{qid}/resubmit", json={})
    corrected = client.post(
        f"/api/v1/quarantine/{qid}/resubmit",
        json={"record": {**PERSON, "date_of_birth": "1964-03-01", "address": {"country": "NL"}}},
    )

    assert still_bad.status_code == 422
    assert corrected.status_code == 200, corrected.text
    assert _stored(engine, "P1")["date_of_birth"] == "1964-03-01"
    assert client.get(f"/api/v1/quarantine/{qid}").json()["status"] == "resubmitted"


def test_a_strict_source_refuses_the_record_and_writes_nothing_but_quarantine(
    client: TestClient, engine: Engine
) -> None:
    strict(client, "crm")
    before = counts(engine, ("source_record", "golden_record", "outbox"))

    out = client.put("/api/v1/sources/crm/customer/P1", json=PERSON)

    assert out.status_code == 422
    pointers = {e["pointer"] for e in out.json()["error"]["errors"]}
    assert pointers == {"/date_of_birth", "/address/country"}
    assert counts(engine, ("source_record", "golden_record", "outbox")) == before
    assert _issues(client) == []


def test_what_is_not_the_entity_is_refused_even_when_lenient(
    client: TestClient, engine: Engine
) -> None:
    before = counts(engine)

    no_name = client.put("/api/v1/sources/crm/customer/O1", json={"kind": "organization"})
    unknown = client.put(
        "/api/v1/sources/crm/customer/O2",
        json={"kind": "organization", "name": "Acme", "colour": "red"},
    )

    assert no_name.status_code == 422 and unknown.status_code == 422
    assert counts(engine, ("source_record", "golden_record", "outbox")) == {
        k: before[k] for k in ("source_record", "golden_record", "outbox")
    }


def test_a_validation_mode_that_does_not_exist_is_refused_and_changes_nothing(
    client: TestClient,
) -> None:
    bad = client.patch("/api/v1/sources/crm", json={"validation": "loose", "default_region": "US"})

    assert bad.status_code == 422
    assert bad.json()["error"]["errors"][0]["pointer"] == "/validation"
    crm = next(s for s in client.get("/api/v1/sources").json()["sources"] if s["name"] == "crm")
    assert crm["validation"] == "lenient" and crm["default_region"] is None
