"""Reading golden records: attributes, lineage, xrefs, history, merges, time travel."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from mdm.clock import ManualClock
from tests.graphql.gql_helpers import gql, merge_directly, put
from tests.helpers import ACME_CRM, ACME_ERP

CUSTOMER = """
query($id: ID!, $asOf: DateTime) {
  customer(id: $id, asOf: $asOf) {
    id status resolvedFrom version asOf
    attributes { name segment paymentTerms address { postcode country } }
    lineage { attribute source sourceId sourceVersion rule candidates }
    xrefs { source sourceId recordVersion schemaVersion }
  }
}
"""


def test_customer_has_surviving_attributes_lineage_per_attribute_and_xrefs(
    client: TestClient,
) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)
    put(client, "erp", "customer", "C-9", ACME_ERP)

    body = gql(client, CUSTOMER, id=gid)

    c = body["data"]["customer"]
    assert body["_status"] == 200 and "errors" not in body
    assert (c["id"], c["status"], c["resolvedFrom"], c["version"]) == (gid, "active", None, 2)
    assert c["attributes"] == {
        "name": "ACME Corporation Inc.",
        "segment": "enterprise",
        "paymentTerms": "net30",
        "address": {"postcode": "94105", "country": "US"},
    }
    by_attr = {e["attribute"]: e for e in c["lineage"]}
    assert by_attr["name"] == {
        "attribute": "name",
        "source": "erp",
        "sourceId": "C-9",
        "sourceVersion": 1,
        "rule": "source_priority",
        "candidates": 2,
    }
    assert by_attr["segment"]["source"] == "crm"
    assert [(x["source"], x["sourceId"], x["recordVersion"]) for x in c["xrefs"]] == [
        ("crm", "001", 1),
        ("erp", "C-9", 1),
    ]
    assert {x["schemaVersion"] for x in c["xrefs"]} == {"customer/v1"}


def test_lineage_of_one_attribute(client: TestClient) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)

    body = gql(
        client,
        'query($id: ID!) { customer(id: $id) { lineage(attribute: "owner") '
        "{ attribute source } } }",
        id=gid,
    )

    assert body["data"]["customer"]["lineage"] == [{"attribute": "owner", "source": "crm"}]


def test_merged_away_id_resolves_to_the_survivor_and_says_so(
    client: TestClient, engine: Engine
) -> None:
    survivor = put(client, "crm", "customer", "001", ACME_CRM)
    loser = put(client, "billing", "customer", "B-1", {"kind": "organization", "name": "Acme"})
    merge_directly(engine, loser, survivor)

    body = gql(client, CUSTOMER, id=loser)

    c = body["data"]["customer"]
    assert (c["id"], c["resolvedFrom"], c["status"]) == (survivor, loser, "active")


def test_unknown_id_and_wrong_entity_type_are_null(client: TestClient) -> None:
    pid = put(client, "crm", "product", "P1", {"sku": "SKU-1", "name": "Widget"})

    body = gql(
        client,
        "query($a: ID!, $b: ID!) { a: customer(id: $a) { id } b: customer(id: $b) { id } }",
        a="nope",
        b=pid,
    )

    assert body["data"] == {"a": None, "b": None}
    assert "errors" not in body


def test_customer_by_xref_finds_the_golden_record_of_a_source_id(client: TestClient) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)

    body = gql(
        client,
        '{ customerByXref(source: "crm", sourceId: "001") { id } '
        'none: customerByXref(source: "crm", sourceId: "404") { id } }',
    )

    assert body["data"] == {"customerByXref": {"id": gid}, "none": None}


def test_history_is_newest_first_and_as_of_reads_the_version_valid_then(
    client: TestClient, clock: ManualClock
) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)
    clock.advance(1)
    between = clock.now().isoformat()
    clock.advance(1)
    put(client, "crm", "customer", "001", {**ACME_CRM, "owner": "lee@hub.example"})

    history = gql(
        client,
        "query($id: ID!) { customer(id: $id) { history(first: 5) "
        "{ version cause changed xrefs { recordVersion } } } }",
        id=gid,
    )
    then = gql(
        client,
        "query($id: ID!, $t: DateTime) { customer(id: $id, asOf: $t) "
        "{ version asOf attributes { owner } xrefs { source recordVersion } "
        "history { version } } }",
        id=gid,
        t=between,
    )

    assert history["data"]["customer"]["history"] == [
        {
            "version": 2,
            "cause": "source_updated",
            "changed": ["owner"],
            "xrefs": [{"recordVersion": 2}],
        },
        {
            "version": 1,
            "cause": "record_created",
            "changed": ["address", "email", "kind", "name", "owner", "segment", "tax_id"],
            "xrefs": [{"recordVersion": 1}],
        },
    ]
    c = then["data"]["customer"]
    assert (c["version"], c["attributes"]["owner"]) == (1, "dana@hub.example")
    assert c["asOf"] is not None
    assert c["xrefs"] == [{"source": "crm", "recordVersion": 1}]
    assert c["history"] == [{"version": 1}]


def test_as_of_before_the_record_existed_is_null(client: TestClient) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)

    body = gql(client, CUSTOMER, id=gid, asOf="2000-01-01T00:00:00Z")

    assert body["data"]["customer"] is None


def test_product_by_id_and_sku_with_its_prices(client: TestClient) -> None:
    pid = put(client, "cpq", "product", "P1", {"sku": "SKU-1", "name": "Widget"})
    eur = put(
        client,
        "cpq",
        "price",
        "PR1",
        {"product": "P1", "price_book": "list", "currency": "EUR", "unit_amount": "10.00"},
    )
    put(
        client,
        "cpq",
        "price",
        "PR2",
        {"product": "P1", "price_book": "list", "currency": "USD", "unit_amount": "12.00"},
    )

    body = gql(
        client,
        """query($id: ID!) {
      byId: product(id: $id) { id attributes { sku name } prices { attributes { currency } } }
      bySku: product(sku: "SKU-1") { id }
      prices(product: $id, priceBook: "list", currency: "EUR") {
        id attributes { productId unitAmount priceBook } product { id } }
    }""",
        id=pid,
    )

    d = body["data"]
    assert d["byId"]["attributes"] == {"sku": "SKU-1", "name": "Widget"}
    assert sorted(p["attributes"]["currency"] for p in d["byId"]["prices"]) == ["EUR", "USD"]
    assert d["bySku"] == {"id": pid}
    assert d["prices"] == [
        {
            "id": eur,
            "attributes": {"productId": pid, "unitAmount": "10.00", "priceBook": "list"},
            "product": {"id": pid},
        }
    ]


def test_product_needs_exactly_one_of_id_and_sku(client: TestClient) -> None:
    body = gql(client, "{ product { id } }")

    assert body["data"] == {"product": None}
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
