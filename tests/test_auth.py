"""Roles: readers read, stewards decide, admins govern, sources write only their own."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.helpers import ACME_CRM, counts


def test_no_key_or_unknown_key_is_401_and_writes_nothing(app, engine: Engine) -> None:
    with TestClient(app) as anonymous:
        none = anonymous.put("/api/v1/sources/crm/customer/1", json=ACME_CRM)
        wrong = anonymous.put(
            "/api/v1/sources/crm/customer/1",
            json=ACME_CRM,
            headers={"Authorization": "Bearer mdm_not_a_key"},
        )
        read = anonymous.get("/api/v1/xref/crm/customer/1")

    assert (none.status_code, none.json()["error"]["code"]) == (401, "unauthenticated")
    assert wrong.status_code == 401
    assert read.status_code == 401
    assert counts(engine, ("source_record", "quarantine")) == {"source_record": 0, "quarantine": 0}


def test_a_source_key_writes_only_its_own_source(
    client_as: Callable[..., TestClient], engine: Engine
) -> None:
    crm = client_as("source:crm")

    own = crm.put("/api/v1/sources/crm/customer/1", json=ACME_CRM)
    other = crm.put("/api/v1/sources/erp/customer/1", json=ACME_CRM)
    other_batch = crm.post("/api/v1/sources/erp/customer/batch", json=[])

    assert own.status_code == 200
    assert (other.status_code, other.json()["error"]["code"]) == (403, "forbidden")
    assert other_batch.status_code == 403
    assert counts(engine, ("source_record",)) == {"source_record": 1}


def test_reader_reads_but_cannot_write_or_govern(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = client.put("/api/v1/sources/crm/customer/1", json=ACME_CRM).json()["golden_id"]
    reader = client_as("reader")

    assert reader.get(f"/api/v1/golden/customer/{gid}").status_code == 200
    assert reader.put("/api/v1/sources/crm/customer/2", json=ACME_CRM).status_code == 403
    assert reader.post("/api/v1/sources", json={"name": "hubspot"}).status_code == 403
    assert reader.get("/api/v1/quarantine").status_code == 403


def test_source_key_cannot_read_golden_records(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = client.put("/api/v1/sources/crm/customer/1", json=ACME_CRM).json()["golden_id"]

    assert client_as("source:crm").get(f"/api/v1/golden/customer/{gid}").status_code == 403
