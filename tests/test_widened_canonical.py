"""Canonical v1 widened in place: phones as people write them, the product master's
attributes; a hub seeded before gets the widened documents by migration 0015."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from canonical.compatibility import Mode, check
from canonical.registry import fingerprint
from canonical.schemas import schema_for
from mdm.db.migrate import alembic_config, upgrade
from tests.helpers import put_ok

ROOT = Path(__file__).resolve().parents[1]
HUMAN_PHONES = [
    "(415) 555-0199",
    "+1.415.555.0199",
    "0044 20 7946 0018",
    "312-555-0142",
    "312-555-0142 ext. 12",
    "+1 415 555 0199 x12",
    "+44 (0)20 7946 0018",
]
MASTER = {
    "sku": "W-500",
    "name": "Sparkling Water 6 x 500 ml",
    "brand": "Aqua Pura",
    "manufacturer": "Aqua Pura Bottling GmbH",
    "supplier": "Northwind Traders",
    "category": "Beverages",
    "list_price": "4.99",
    "currency": "EUR",
}


def _errors(entity: str, record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e.pointer, e.code) for e in schema_for(entity, 1).errors(record)]


@pytest.mark.parametrize("phone", HUMAN_PHONES)
def test_a_phone_as_people_write_it_is_accepted(phone: str) -> None:
    assert _errors("customer", {"kind": "organization", "name": "Acme", "phone": phone}) == []


@pytest.mark.parametrize("phone", ["call me", "abc-def", "12", "", "+", "555-CALL-NOW"])
def test_what_is_no_phone_is_still_refused_naming_the_field(phone: str) -> None:
    assert _errors("customer", {"kind": "organization", "name": "Acme", "phone": phone}) == [
        ("/phone", "pattern")
    ]


def test_the_product_master_attributes_are_accepted_and_a_bad_price_is_not() -> None:
    assert _errors("product", MASTER) == []
    assert _errors("product", {**MASTER, "list_price": "4,99", "currency": "euro"}) == [
        ("/currency", "pattern"),
        ("/list_price", "pattern"),
    ]


NEW_PRODUCT_PROPERTIES = ("brand", "manufacturer", "supplier", "category", "list_price", "currency")


def _migration() -> Any:
    path = ROOT / "mdm/db/migrations/versions/0015_widened_canonical_v1.py"
    spec = importlib.util.spec_from_file_location("widened", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shipped_before(entity: str) -> dict[str, Any]:
    """The document as shipped before the widening (its fingerprint proves it)."""
    doc = copy.deepcopy(dict(schema_for(entity, 1).document))
    if entity == "customer":
        doc["properties"]["phone"] = {"type": "string", "pattern": "^[+0-9][0-9 ()./-]{3,30}$"}
        # and before 0016 widened it again: a person needed a family name
        doc["allOf"][1]["then"] = {"required": ["last_name"]}
        doc["description"] = (
            "A party (organization or person) as one source system knows it. Organizations"
            " carry `name`; persons carry `first_name` and `last_name`."
        )
    else:
        for name in NEW_PRODUCT_PROPERTIES:
            del doc["properties"][name]
    assert fingerprint(doc) == _migration().WIDENED[entity][0]
    return doc


def test_the_widening_is_a_compatible_change_of_what_was_shipped() -> None:
    for entity in ("customer", "product"):
        before = _shipped_before(entity)
        after = dict(schema_for(entity, 1).document)
        assert check([before], after, Mode.BACKWARD_TRANSITIVE) == [], entity


def test_ingest_keeps_the_product_master_attributes(client: TestClient) -> None:
    done = put_ok(client, "erp/product/W-500", MASTER)

    golden = client.get(f"/api/v1/golden/product/{done['golden_id']}").json()

    assert {k: golden["attributes"][k] for k in MASTER} == MASTER


def test_a_customer_with_a_human_phone_is_ingested(client: TestClient) -> None:
    done = put_ok(
        client,
        "crm/customer/H-1",
        {"kind": "organization", "name": "Acme", "phone": "(415) 555-0199"},
    )

    assert done["golden_id"]


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_a_registry_seeded_before_gets_the_widened_documents(engine: Engine) -> None:
    before = _shipped_before("customer")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE registry_version SET document = :d, fingerprint = :f"
                " WHERE subject = 'customer' AND version = 1"
            ),
            {"d": json.dumps(before), "f": fingerprint(before)},
        )

    upgrade(engine)

    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT document, fingerprint FROM registry_version WHERE subject = 'customer'")
        ).one()
    document = stored[0] if isinstance(stored[0], dict) else json.loads(stored[0])
    assert stored[1] == fingerprint(schema_for("customer", 1).document)
    assert document == schema_for("customer", 1).document


def test_graphql_reads_the_product_master_attributes(client: TestClient) -> None:
    done = put_ok(client, "erp/product/W-500", MASTER)
    query = (
        f'{{ product(id: "{done["golden_id"]}") {{ attributes '
        "{ brand manufacturer supplier category listPrice currency } } }"
    )

    read = client.post("/graphql", json={"query": query}).json()

    assert read["data"]["product"]["attributes"] == {
        "brand": "Aqua Pura",
        "manufacturer": "Aqua Pura Bottling GmbH",
        "supplier": "Northwind Traders",
        "category": "Beverages",
        "listPrice": "4.99",
        "currency": "EUR",
    }
