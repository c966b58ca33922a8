"""Personal data is masked on every read path for a caller without the ``pii`` role, by
one policy (canonical.privacy): a person's email, phone, date of birth and tax id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import put_ok, strict

ADA = {
    "kind": "person",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "+44 20 7946 0018",
    "date_of_birth": "1815-12-10",
    "tax_id": "GB-AB123456C",
}
SECRETS = ("ada@example.org", "+44 20 7946 0018", "1815-12-10", "GB-AB123456C", "ada@work.example")


def _leaks(body: Any) -> list[str]:
    text = str(body)
    return [s for s in SECRETS if s in text]


def _golden(client: TestClient) -> str:
    gid = str(put_ok(client, "crm/customer/P1", ADA)["golden_id"])
    # a second source disagrees on the email: lineage keeps the other value as an alternative
    put_ok(client, "erp/customer/P1", {**ADA, "email": "ada@work.example"})
    return gid


def test_a_reader_without_pii_sees_no_personal_data_in_golden_reads(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = _golden(client)
    reader = client_as("reader")

    golden = reader.get(f"/api/v1/golden/customer/{gid}").json()
    as_of = reader.get(
        f"/api/v1/golden/customer/{gid}", params={"as_of": "2999-01-01T00:00:00Z"}
    ).json()
    history = reader.get(f"/api/v1/golden/customer/{gid}/history").json()
    events = reader.get("/api/v1/events").json()

    assert golden["attributes"]["email"] == "***"
    assert golden["attributes"]["first_name"] == "Ada"
    assert golden["masked"] == ["date_of_birth", "email", "phone", "tax_id"]
    assert _leaks(golden) == []
    assert _leaks(as_of) == [] and as_of["attributes"]["phone"] == "***"
    assert _leaks(history) == [] and history["versions"][0]["attributes"]["tax_id"] == "***"
    assert _leaks(events) == [] and len(events["events"]) == 2


def test_the_pii_role_sees_personal_data_in_clear(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = _golden(client)

    golden = client_as("reader", "pii").get(f"/api/v1/golden/customer/{gid}").json()
    events = client_as("reader", "pii").get("/api/v1/events").json()

    assert golden["attributes"]["email"] in ("ada@example.org", "ada@work.example")
    assert "masked" not in golden
    assert {s for s in SECRETS if s in str(golden)} == set(SECRETS)
    assert "GB-AB123456C" in str(events)


def test_an_organizations_contacts_are_business_data_and_stay_visible(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    org = {
        "kind": "organization",
        "name": "Acme",
        "email": "ap@acme.example",
        "phone": "+1 415 555 0100",
    }
    gid = put_ok(client, "crm/customer/O1", org)["golden_id"]

    golden = client_as("reader").get(f"/api/v1/golden/customer/{gid}").json()

    assert golden["attributes"]["email"] == "ap@acme.example"
    assert "masked" not in golden


def test_a_steward_without_pii_decides_a_persons_task_without_seeing_personal_data(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    person = {"kind": "person", "first_name": "Ada", "last_name": "Lovelace"}
    put_ok(client, "erp/customer/E1", {**person, "tax_id": "GB-AB123456C"})
    put_ok(client, "crm/customer/C1", {**person, "email": "ada@example.org"})
    both = {**person, "tax_id": "GB-AB123456C", "email": "ada@example.org"}
    # it joins one of the two, and the pair of golden records goes to review
    assert put_ok(client, "billing/customer/B1", both)["action"] == "linked"
    steward = client_as("steward")
    [task] = steward.get("/api/v1/stewardship/tasks").json()["items"]

    detail = steward.get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    with_pii = client_as("steward", "pii").get(f"/api/v1/stewardship/tasks/{task['id']}").json()

    assert _leaks(detail) == []
    assert detail["left"]["attributes"]["email"] == "***"
    assert detail["preview"]["attributes"]["tax_id"] == "***"
    assert set(_leaks(with_pii)) == {"ada@example.org", "GB-AB123456C"}


def test_find_matches_masks_the_candidates_personal_data(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    _golden(client)
    probe = {"kind": "person", "last_name": "Lovelace", "phone": "+44 20 7946 0018"}

    found = client_as("reader").post("/api/v1/match/customer", json=probe).json()

    assert found["candidates"], found
    assert _leaks(found["candidates"]) == []
    assert found["candidates"][0]["attributes"]["email"] == "***"
    assert _leaks(found["decision"]["explanation"]) == []


def test_quarantined_personal_payloads_are_masked_for_a_steward_without_pii(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    strict(client, "crm")
    bad = {**ADA, "date_of_birth": "not a date"}
    assert client.put("/api/v1/sources/crm/customer/P9", json=bad).status_code == 422

    listed = client_as("steward").get("/api/v1/quarantine").json()

    [entry] = listed["items"]
    assert entry["payload"]["email"] == "***"
    assert _leaks(entry) == []


def test_scrub_text_masks_what_looks_like_an_email_or_a_phone() -> None:
    from canonical.privacy import scrub_text

    text = "Email: ada@example.org has already been taken; phone +44 20 7946 0018 invalid (id 42)"

    assert scrub_text(text) == "Email: *** has already been taken; phone *** invalid (id 42)"


def test_a_steward_without_pii_reads_a_source_record_masked(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    _golden(client)
    path = "/api/v1/sources/crm/customer/P1"

    steward = client_as("steward").get(path)
    with_pii = client_as("steward", "pii").get(path)

    assert steward.status_code == 200, steward.text
    assert _leaks(steward.json()) == []
    assert steward.json()["payload"]["first_name"] == "Ada"
    assert steward.json()["masked"] == ["date_of_birth", "email", "phone", "tax_id"]
    assert with_pii.json()["payload"]["email"] == "ada@example.org"
    assert "masked" not in with_pii.json()
