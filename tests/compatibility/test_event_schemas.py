"""Published golden-event schemas: real envelopes from the hub validate against them, and
they evolve under the event default mode as canonical attributes are added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from canonical.compatibility import Mode, SubjectKind, check, default_mode
from canonical.schemas import ENTITY_TYPES, schema_for
from canonical.survivorship import _NOT_ATTRIBUTES
from contracts.event_schemas import NOT_ATTRIBUTES, event_schema, event_types, golden_event_schema
from contracts.events import GOLDEN_CHANGES
from contracts.integration_events import integration_event_schemas
from tests.compatibility import write_event_schemas
from tests.compatibility.schema_edits import edited
from tests.helpers import ACME_CRM, put_ok

GLOBEX = {"kind": "organization", "name": "Globex Industries", "tax_id": "GB-99-0001"}
WIDGET = {"sku": "W-1", "name": "Widget", "type": "subscription", "status": "active"}
WIDGET_PRICE = {
    "product": "P-1",
    "price_book": "list",
    "currency": "EUR",
    "unit_amount": "10.00",
    "billing_period": "month",
    "tiers": [{"up_to": 10, "unit_amount": "9.50"}, {"up_to": None, "unit_amount": "8.00"}],
}


def _all_events(client: TestClient) -> list[dict[str, Any]]:
    r = client.get("/api/v1/events", params={"limit": 1000})
    assert r.status_code == 200, r.text
    return [item["event"] for item in r.json()["events"]]


def _errors(envelope: dict[str, Any]) -> list[str]:
    validator = jsonschema_rs.validator_for(event_schema(envelope["type"]), validate_formats=True)
    return [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(envelope)]


@pytest.fixture
def hub_events(client: TestClient) -> Iterator[list[dict[str, Any]]]:
    """Every kind of golden event, produced through the API: create, update, a reference,
    a merge and its unmerge, a product and a tiered price that refers to it."""
    acme = put_ok(client, "crm/customer/1", ACME_CRM)["golden_id"]
    put_ok(client, "crm/customer/1", {**ACME_CRM, "owner": "lee@hub.example"})
    globex = put_ok(client, "crm/customer/2", GLOBEX)["golden_id"]
    put_ok(client, "crm/customer/3", {"kind": "person", "last_name": "Doe", "parent": "1"})
    merged = client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": acme, "merged": [globex], "reason": "same group"},
    )
    assert merged.status_code == 200, merged.text
    unmerged = client.post(
        f"/api/v1/golden/customer/{acme}/unmerge", json={"merged": globex, "reason": "not really"}
    )
    assert unmerged.status_code == 200, unmerged.text
    put_ok(client, "crm/product/P-1", WIDGET)
    put_ok(client, "billing/price/PR-1", WIDGET_PRICE)
    yield _all_events(client)


def test_every_golden_event_the_hub_writes_validates_against_its_published_schema(
    hub_events: list[dict[str, Any]],
) -> None:
    types = {e["type"] for e in hub_events}

    assert {f"mdm.golden.customer.{c}.v1" for c in GOLDEN_CHANGES} <= types
    assert {"mdm.golden.product.created.v1", "mdm.golden.price.created.v1"} <= types
    assert {e["type"]: _errors(e) for e in hub_events} == {t: [] for t in types}


def test_a_reference_attribute_is_published_as_a_golden_id(
    hub_events: list[dict[str, Any]],
) -> None:
    person = next(e for e in hub_events if e["data"]["attributes"].get("kind") == "person")
    acme = next(e for e in hub_events if e["data"]["attributes"].get("name") == ACME_CRM["name"])

    assert person["data"]["attributes"]["parent"] == acme["subject"]
    assert _errors(person) == []


def test_an_envelope_that_breaks_the_contract_is_refused(
    hub_events: list[dict[str, Any]],
) -> None:
    real = next(e for e in hub_events if e["type"] == "mdm.golden.customer.created.v1")
    broken = {**real, "data": {**real["data"], "attributes": {"name": 5}}}
    missing = {k: v for k, v in real.items() if k != "subject"}

    assert _errors(real) == []
    assert any("5 is not of type" in e for e in _errors(broken))
    assert any("subject" in e for e in _errors(missing))


def test_the_published_files_are_the_builder_output_for_the_canonical_schemas() -> None:
    texts = write_event_schemas.expected()
    on_disk = {
        p.name: p.read_text(encoding="utf-8") for p in write_event_schemas.DIRECTORY.iterdir()
    }

    assert on_disk == texts, (
        "regenerate: .venv/bin/python -m tests.compatibility.write_event_schemas"
    )
    assert event_types() == tuple(
        sorted(
            [f"mdm.golden.{e}.{c}.v1" for e in ENTITY_TYPES for c in GOLDEN_CHANGES]
            + list(integration_event_schemas())
        )
    )
    assert set(NOT_ATTRIBUTES) == set(_NOT_ATTRIBUTES)


def test_every_object_in_an_event_schema_is_open() -> None:
    def closed(node: Any) -> bool:
        if isinstance(node, dict):
            return node.get("additionalProperties") is False or any(
                closed(v) for v in node.values()
            )
        return isinstance(node, list) and any(closed(v) for v in node)

    assert [t for t in event_types() if closed(event_schema(t))] == []


def test_an_added_canonical_attribute_reaches_events_as_a_compatible_revision() -> None:
    published = event_schema("mdm.golden.customer.updated.v1")
    canonical_v2 = edited(
        schema_for("customer").document,  # type: ignore[arg-type]
        [("add", "/properties/tier", {"enum": ["gold", "standard"]})],
    )

    revision = golden_event_schema("customer", "updated", canonical_v2)

    assert default_mode(SubjectKind.EVENT) is Mode.FORWARD_TRANSITIVE
    assert check([published], revision, Mode.FORWARD_TRANSITIVE) == []
    assert "tier" in revision["$defs"]["attributes"]["properties"]


def test_dropping_or_widening_what_consumers_read_is_refused_for_events() -> None:
    published = event_schema("mdm.golden.customer.updated.v1")
    canonical = schema_for("customer").document
    dropped = golden_event_schema(
        "customer",
        "updated",
        edited(canonical, [("remove", "/properties/owner")]),  # type: ignore[arg-type]
    )
    widened = edited(published, [("add", "/$defs/data/properties/status/enum/-", "retired")])

    refused = check([published], dropped, Mode.FORWARD_TRANSITIVE)
    assert [(i.rule, i.pointer) for i in refused] == [
        (
            "property_removed_from_open_model",
            "/properties/data/properties/attributes/properties/owner",
        )
    ]
    assert [(i.rule, i.pointer) for i in check([published], widened, "FORWARD_TRANSITIVE")] == [
        ("enum_value_added", "/properties/data/properties/status/enum")
    ]


def test_an_unknown_event_type_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=re.escape("mdm.golden.customer.created.v1")):
        event_schema("mdm.golden.supplier.created.v1")
