"""A registered version is live at once in every process, and old payloads are upcast.

Two containers on one database stand for two hub processes: each has its own engine,
compiled-schema cache and app, and they share nothing but the database.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from canonical.commands import RegisterSchema
from canonical.schemas import schema_for
from mdm.app import create_app
from mdm.bootstrap import Container, bootstrap
from mdm.db.engine import make_engine
from mdm.settings import Settings
from tests.conftest import ADMIN_KEY
from tests.helpers import ACME_CRM, ACME_ERP, outbox, put_ok

TIER = {"type": "string", "enum": ["standard", "gold"]}


def proposed(**tier: Any) -> dict[str, Any]:
    doc = copy.deepcopy(dict(schema_for("customer", 1).document))
    doc["properties"]["loyalty_tier"] = {**TIER, **tier}
    return doc


@pytest.fixture
def other_process(settings: Settings, database_url: str) -> Iterator[TestClient]:
    """A second hub on the same database: its own engine, caches and app."""
    engine = make_engine(database_url)
    second: Container = bootstrap(settings, engine=engine)
    with TestClient(create_app(second), headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
        yield client
    engine.dispose()


def test_a_version_registered_by_one_process_is_live_at_once_in_another(
    client: TestClient, container: Container, other_process: TestClient
) -> None:
    record = {**ACME_CRM, "loyalty_tier": "gold"}
    before = other_process.put("/api/v1/sources/crm/customer/C-1", json=record)

    container.bus.handle(RegisterSchema("customer", proposed(), "admin"))
    after = other_process.put("/api/v1/sources/crm/customer/C-1", json=record)

    assert before.status_code == 422
    assert before.json()["error"]["errors"][0]["pointer"] == "/loyalty_tier"
    assert after.status_code == 200, after.text
    golden = other_process.get(f"/api/v1/golden/customer/{after.json()['golden_id']}").json()
    assert golden["attributes"]["loyalty_tier"] == "gold"
    assert golden["lineage"]["loyalty_tier"]["rule"] == "most_recent"
    assert golden["xrefs"][0]["schema_version"] == "customer/v2"
    [event] = [e for e in outbox(container.engine) if e["subject"] == golden["id"]]
    assert event["type"] == "mdm.golden.customer.created.v1"
    assert event["data"]["attributes"]["loyalty_tier"] == "gold"
    query = '{ customerByXref(source: "crm", sourceId: "C-1") { attributes { all } } }'
    graph = client.post("/graphql", json={"query": query}).json()
    assert graph["data"]["customerByXref"]["attributes"]["all"]["loyalty_tier"] == "gold"


def test_the_new_property_survives_by_the_default_rule_across_sources(
    client: TestClient, container: Container
) -> None:
    container.bus.handle(RegisterSchema("customer", proposed(), "admin"))
    crm = put_ok(client, "crm/customer/C-1", {**ACME_CRM, "loyalty_tier": "standard"})
    erp = put_ok(
        client,
        "erp/customer/E-1",
        {**ACME_ERP, "loyalty_tier": "gold", "source_updated_at": "2099-01-01T00:00:00Z"},
    )

    golden = client.get(f"/api/v1/golden/customer/{crm['golden_id']}").json()

    assert erp["golden_id"] == crm["golden_id"]
    assert golden["attributes"]["loyalty_tier"] == "gold"
    assert golden["lineage"]["loyalty_tier"]["source"] == "erp"


def stored_payload(engine: Engine, source_id: str) -> tuple[dict[str, Any], str]:
    with engine.connect() as conn:
        payload, label = conn.execute(
            text("SELECT payload, schema_version FROM source_record WHERE source_id = :s"),
            {"s": source_id},
        ).one()
    return (payload if isinstance(payload, dict) else json.loads(payload)), label


def test_stored_payloads_keep_their_version_and_are_upcast_on_read(
    client: TestClient, container: Container, engine: Engine
) -> None:
    crm = put_ok(client, "crm/customer/C-1", ACME_CRM)
    container.bus.handle(RegisterSchema("customer", proposed(default="standard"), "admin"))

    read = client.get("/api/v1/sources/crm/customer/C-1").json()
    put_ok(client, "erp/customer/E-1", ACME_ERP)
    golden = client.get(f"/api/v1/golden/customer/{crm['golden_id']}").json()

    assert (read["schema_version"], read["read_as"]) == ("customer/v1", "customer/v2")
    assert read["payload"] == {**ACME_CRM, "loyalty_tier": "standard"}
    assert stored_payload(engine, "C-1") == (ACME_CRM, "customer/v1")
    assert golden["attributes"]["loyalty_tier"] == "standard"
    assert golden["lineage"]["loyalty_tier"]["source"] == "crm"
    assert stored_payload(engine, "E-1")[1] == "customer/v2"


def test_only_stewards_and_the_owning_source_read_a_source_record(
    client: TestClient, client_as: Any
) -> None:
    put_ok(client, "crm/customer/C-1", ACME_CRM)

    assert client_as("reader").get("/api/v1/sources/crm/customer/C-1").status_code == 403
    assert client_as("source:erp").get("/api/v1/sources/crm/customer/C-1").status_code == 403
    assert client_as("source:crm").get("/api/v1/sources/crm/customer/C-1").status_code == 200
    assert client.get("/api/v1/sources/crm/customer/nope").status_code == 404


def test_records_of_the_previous_shape_are_still_accepted(
    client: TestClient, container: Container
) -> None:
    container.bus.handle(RegisterSchema("customer", proposed(), "admin"))

    r = client.put("/api/v1/sources/crm/customer/C-2", json=ACME_CRM)

    assert r.status_code == 200, r.text


def test_the_same_registration_twice_at_once_makes_one_version(
    container: Container, engine: Engine
) -> None:
    barrier = threading.Barrier(2)

    def register(_: int) -> tuple[int, bool]:
        barrier.wait()
        out = container.bus.handle(RegisterSchema("customer", proposed(), "admin"))
        return int(out["version"]), bool(out["created"])

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(register, [1, 2]))

    assert outcomes == [(2, False), (2, True)]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM registry_version")).scalar_one()
    assert rows == 15 + 5
