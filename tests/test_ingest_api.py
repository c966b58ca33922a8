"""Ingest over HTTP: one record, batches, idempotency, staleness and bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.helpers import ACME_CRM, ACME_ERP, counts, outbox


def put(client: TestClient, path: str, body: dict, **headers: str):
    return client.put(f"/api/v1/sources/{path}", json=body, headers=headers)


def test_first_record_creates_a_golden_record_with_lineage(client: TestClient) -> None:
    r = put(client, "crm/customer/001", ACME_CRM)

    assert r.status_code == 200
    body = r.json()
    assert body["action"] == "created"
    assert body["golden_version"] == 1
    assert body["record_version"] == 1
    golden = client.get(f"/api/v1/golden/customer/{body['golden_id']}").json()
    assert golden["attributes"]["name"] == "Acme Corporation"
    assert golden["lineage"]["name"]["source"] == "crm"
    assert golden["lineage"]["name"]["source_id"] == "001"
    assert golden["lineage"]["name"]["source_version"] == 1
    assert golden["lineage"]["name"]["rule"] == "source_priority"
    assert [(x["source"], x["source_id"]) for x in golden["xrefs"]] == [("crm", "001")]


def test_same_identifier_from_another_source_links_and_survivorship_follows_systems_of_record(
    client: TestClient,
) -> None:
    gid = put(client, "crm/customer/001", ACME_CRM).json()["golden_id"]

    r = put(client, "erp/customer/C-9", ACME_ERP)

    assert r.json()["action"] == "linked"
    assert r.json()["golden_id"] == gid
    assert r.json()["golden_version"] == 2
    attrs = client.get(f"/api/v1/golden/customer/{gid}").json()
    # ERP owns legal name, tax id and address; CRM owns owner and segment.
    assert attrs["attributes"]["name"] == "ACME Corporation Inc."
    assert attrs["lineage"]["name"]["source"] == "erp"
    assert attrs["attributes"]["address"]["postcode"] == "94105"
    assert attrs["attributes"]["segment"] == "enterprise"
    assert attrs["lineage"]["segment"]["source"] == "crm"
    assert attrs["attributes"]["owner"] == "dana@hub.example"
    assert attrs["attributes"]["payment_terms"] == "net30"
    assert sorted(x["source"] for x in attrs["xrefs"]) == ["crm", "erp"]


def test_same_payload_twice_is_unchanged_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    first = put(client, "crm/customer/001", ACME_CRM).json()
    before = counts(engine)

    again = put(client, "crm/customer/001", ACME_CRM).json()

    assert again["action"] == "unchanged"
    assert again["golden_id"] == first["golden_id"]
    assert again["golden_version"] == 1
    assert counts(engine) == before


def test_changed_payload_is_a_new_version_with_an_event(client: TestClient, engine: Engine) -> None:
    gid = put(client, "crm/customer/001", ACME_CRM).json()["golden_id"]

    r = put(client, "crm/customer/001", {**ACME_CRM, "owner": "lee@hub.example"}).json()

    assert (r["action"], r["record_version"], r["golden_version"]) == ("updated", 2, 2)
    events = outbox(engine)
    assert [e["type"] for e in events] == [
        "mdm.golden.customer.created.v1",
        "mdm.golden.customer.updated.v1",
    ]
    assert events[1]["subject"] == gid
    assert events[1]["data"]["changed"] == ["owner"]
    assert events[1]["data"]["version"] == 2
    assert events[1]["specversion"] == "1.0"


def test_older_source_timestamp_is_stale_and_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    put(client, "crm/customer/001", {**ACME_CRM, "source_updated_at": "2026-05-02T10:00:00Z"})
    before = counts(engine)

    r = put(
        client,
        "crm/customer/001",
        {**ACME_CRM, "owner": "old@hub.example", "source_updated_at": "2026-05-01T10:00:00Z"},
    ).json()

    assert r["action"] == "stale"
    assert counts(engine) == before
    golden = client.get(f"/api/v1/golden/customer/{r['golden_id']}").json()
    assert golden["attributes"]["owner"] == "dana@hub.example"


def test_invalid_record_is_422_with_every_error_and_only_quarantined(
    client: TestClient, engine: Engine
) -> None:
    before = counts(engine)

    r = put(
        client,
        "crm/customer/002",
        {
            "kind": "organization",
            "email": "not-an-email",
            "color": "red",
            "address": {"country": "usa"},
        },
    )

    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_record"
    pointers = {(e["pointer"], e["code"]) for e in err["errors"]}
    assert pointers == {
        ("/email", "format"),
        ("/color", "unknown_field"),
        ("/name", "required"),
        ("/address/country", "pattern"),
    }
    assert counts(engine) == before
    listed = client.get("/api/v1/quarantine").json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == err["quarantine_id"]
    assert listed["items"][0]["payload"]["color"] == "red"


def test_quarantined_payload_can_be_corrected_and_resubmitted(client: TestClient) -> None:
    qid = put(client, "crm/customer/002", {"kind": "organization"}).json()["error"]["quarantine_id"]

    still_bad = client.post(f"/api/v1/quarantine/{qid}/resubmit")
    fixed = client.post(
        f"/api/v1/quarantine/{qid}/resubmit",
        json={"record": {"kind": "organization", "name": "Fixed Ltd"}},
    )

    assert still_bad.status_code == 422
    assert fixed.status_code == 200
    assert fixed.json()["action"] == "created"
    assert client.get("/api/v1/quarantine").json()["total"] == 0
    assert client.get(f"/api/v1/quarantine/{qid}").json()["status"] == "resubmitted"
    assert client.post(f"/api/v1/quarantine/{qid}/resubmit").status_code == 409


def test_batch_accepts_valid_items_reports_invalid_ones_in_order(
    client: TestClient, engine: Engine
) -> None:
    r = client.post(
        "/api/v1/sources/erp/customer/batch",
        json=[
            {"source_id": "E1", "record": ACME_ERP},
            {"source_id": "E2", "record": {"kind": "organization"}},
            {"source_id": "E3", "record": {"kind": "organization", "name": "Globex"}},
            {"source_id": "", "record": {"kind": "organization", "name": "No Id"}},
            {"source_id": "E1", "record": ACME_ERP},
        ],
    )

    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["action"] for x in results] == [
        "created",
        "rejected",
        "created",
        "rejected",
        "unchanged",
    ]
    assert [x["index"] for x in results] == [0, 1, 2, 3, 4]
    assert results[1]["errors"] == [
        {"pointer": "/name", "message": "'name' is required", "code": "required"}
    ]
    assert results[3]["errors"][0]["pointer"] == "/source_id"
    assert r.json()["summary"] == {"created": 2, "rejected": 2, "unchanged": 1}
    assert counts(engine)["source_record"] == 2


def test_duplicates_inside_one_batch_link_to_one_golden_record(client: TestClient) -> None:
    r = client.post(
        "/api/v1/sources/crm/customer/batch",
        json=[
            {"source_id": "A", "record": {**ACME_CRM}},
            {"source_id": "B", "record": {**ACME_CRM, "name": "Acme Corp"}},
        ],
    ).json()["results"]

    assert [x["action"] for x in r] == ["created", "linked"]
    assert r[0]["golden_id"] == r[1]["golden_id"]


def test_malformed_json_wrong_type_and_oversize_are_clear_4xx(
    client: TestClient, engine: Engine
) -> None:
    malformed = client.put(
        "/api/v1/sources/crm/customer/1",
        content=b'{"kind": ',
        headers={"content-type": "application/json"},
    )
    wrong_type = client.put(
        "/api/v1/sources/crm/customer/1",
        content=b"kind=org",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    big = client.put(
        "/api/v1/sources/crm/customer/1",
        content=b'{"kind": "organization", "name": "' + b"x" * (1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    not_object = client.put("/api/v1/sources/crm/customer/1", json=[1, 2])
    batch_not_array = client.post("/api/v1/sources/crm/customer/batch", json={"a": 1})
    too_many = client.post(
        "/api/v1/sources/crm/customer/batch",
        json=[
            {"source_id": str(i), "record": {"kind": "person", "last_name": "X"}}
            for i in range(1001)
        ],
    )

    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "malformed_json")
    assert (wrong_type.status_code, wrong_type.json()["error"]["code"]) == (
        415,
        "unsupported_media_type",
    )
    assert (big.status_code, big.json()["error"]["code"]) == (413, "payload_too_large")
    assert not_object.status_code == 422
    assert not_object.json()["error"]["errors"][0]["pointer"] == "/record"
    assert batch_not_array.status_code == 422
    assert (too_many.status_code, too_many.json()["error"]["code"]) == (413, "batch_too_large")
    assert counts(engine)["source_record"] == 0


def test_unknown_source_or_entity_type_is_404_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    unknown_source = put(client, "hubspot/customer/1", ACME_CRM)
    unknown_type = put(client, "crm/invoice/1", ACME_CRM)

    assert (unknown_source.status_code, unknown_source.json()["error"]["code"]) == (
        404,
        "unknown_source",
    )
    assert (unknown_type.status_code, unknown_type.json()["error"]["code"]) == (
        404,
        "unknown_entity_type",
    )
    assert counts(engine, ("source_record", "quarantine")) == {"source_record": 0, "quarantine": 0}


def test_registered_source_can_write(client: TestClient) -> None:
    assert client.post("/api/v1/sources", json={"name": "hubspot"}).status_code == 201
    assert client.post("/api/v1/sources", json={"name": "hubspot"}).status_code == 409
    assert client.post("/api/v1/sources", json={"name": "Bad Name!"}).status_code == 422

    assert put(client, "hubspot/customer/1", ACME_CRM).json()["action"] == "created"


def test_correlation_id_is_taken_returned_and_stored_on_history_and_events(
    client: TestClient, engine: Engine
) -> None:
    r = put(client, "crm/customer/001", ACME_CRM, **{"X-Correlation-ID": "req-42"})
    made = client.get("/healthz")

    assert r.headers["x-correlation-id"] == "req-42"
    assert len(made.headers["x-correlation-id"]) == 36
    assert outbox(engine)[0]["correlationid"] == "req-42"
    history = client.get(f"/api/v1/golden/customer/{r.json()['golden_id']}/history").json()
    assert history["versions"][0]["correlation_id"] == "req-42"


def test_xref_answers_which_golden_record_a_source_id_belongs_to(client: TestClient) -> None:
    gid = put(client, "crm/customer/001", ACME_CRM).json()["golden_id"]

    found = client.get("/api/v1/xref/crm/customer/001")
    missing = client.get("/api/v1/xref/crm/customer/nope")

    assert found.status_code == 200
    assert found.json()["golden_id"] == gid
    assert missing.status_code == 404
