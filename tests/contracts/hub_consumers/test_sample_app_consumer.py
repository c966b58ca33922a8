"""Consumer pact: the sample application (``sample-app``) and the hub, REST + GraphQL + events."""

from __future__ import annotations

import json

import pytest
from pact import Pact, match

from tests.contracts.hub_consumers.pact_writer import PROVIDER, write_pact
from tests.contracts.hub_consumers.sample_app import CUSTOMER_360, CustomerCache, HubReader
from tests.contracts.hub_consumers.shapes import (
    EXISTS,
    GID,
    UPDATED,
    envelope,
    golden_id,
    golden_path,
)

pytestmark = pytest.mark.contract

CONSUMER = "sample-app"
ACME = {"source": "crm", "source_id": "C-1", "name": "Acme Corporation", "segment": "enterprise"}
# the ERP's copy of the same company: the hub's matcher links it (tax ids agree)
KNOWN_TWICE = {
    **ACME,
    "tax_id": "US-12-3456789",
    "also": [
        {
            "source": "erp",
            "source_id": "E-1",
            "name": "ACME Corporation Inc.",
            "tax_id": "US123456789",
        }
    ],
}
MISSING = "no-such-golden-id"


def http_pact() -> Pact:
    pact = Pact(CONSUMER, PROVIDER)
    (
        pact.upon_receiving("a lookup of a golden customer by its CRM id")
        .given(EXISTS, ACME)
        .with_request("GET", "/api/v1/xref/crm/customer/C-1")
        .will_respond_with(200)
        .with_body({"golden_id": golden_id(), "golden_status": "active"}, "application/json")
    )
    (
        pact.upon_receiving("a read of a golden customer")
        .given(EXISTS, ACME)
        .with_request("GET", golden_path())
        .will_respond_with(200)
        .with_body(
            {
                "id": golden_id(),
                "version": match.int(1),
                "attributes": {"name": match.str("Acme Corporation")},
                "xrefs": match.each_like({"source": match.str("crm")}),
            },
            "application/json",
        )
    )
    (
        pact.upon_receiving("a read of a golden customer the hub does not have")
        .given("no golden customer exists")
        .with_request("GET", f"/api/v1/golden/customer/{MISSING}")
        .will_respond_with(404)
        .with_body({"error": {"code": "not_found"}}, "application/json")
    )
    (
        pact.upon_receiving("a read of the customer schema")
        .with_request("GET", "/api/v1/schemas/customer")
        .will_respond_with(200)
        .with_body(
            {
                "subject": "customer",
                "latest": match.int(1),
                "schema": {"properties": {"name": {"type": "string"}}},
            },
            "application/json",
        )
    )
    (
        pact.upon_receiving("a GraphQL query for the 360 view of a customer known to two systems")
        .given(EXISTS, KNOWN_TWICE)
        .with_request("POST", "/graphql")
        .with_body(
            {"query": CUSTOMER_360, "variables": {"source": "crm", "sourceId": "C-1"}},
            "application/json",
        )
        .will_respond_with(200)
        .with_body(
            {
                "data": {
                    "customerByXref": {
                        "id": golden_id(),
                        "version": match.int(2),
                        "attributes": {
                            "name": match.str("ACME Corporation Inc."),
                            "all": {"segment": match.str("enterprise")},
                        },
                        "xrefs": match.like([{"source": "crm"}, {"source": "erp"}], min=2),
                    }
                }
            },
            "application/json",
        )
    )
    return pact


def event_data(name: str, version: int) -> dict:
    return {
        "golden_id": golden_id(),
        "version": match.int(version),
        "status": "active",
        "attributes": {"name": match.str(name)},
        "xrefs": match.each_like({"source": match.str("crm"), "source_id": match.str("C-1")}),
    }


def message_pact() -> Pact:
    pact = Pact(CONSUMER, PROVIDER)
    (
        pact.upon_receiving("an mdm.golden.customer.created.v1 event", "Async")
        .given(EXISTS, ACME)
        .with_body(
            envelope("mdm.golden.customer.created.v1", event_data("Acme Corporation", 1)),
            "application/cloudevents+json",
        )
    )
    renamed = {**ACME, "name": "Acme Corporation Ltd", "previous": {"name": "Acme Corp"}}
    (
        pact.upon_receiving("an mdm.golden.customer.updated.v1 event", "Async")
        .given(UPDATED, renamed)
        .with_body(
            envelope("mdm.golden.customer.updated.v1", event_data("Acme Corporation Ltd", 2)),
            "application/cloudevents+json",
        )
    )
    return pact


def test_the_sample_app_reads_customers_and_follows_golden_events() -> None:
    http = http_pact()
    with http.serve() as server:
        hub = HubReader(str(server.url), "the-verifier-sends-a-real-key")
        assert hub.golden_id_for("crm", "C-1") == GID
        customer = hub.customer(GID)
        assert customer is not None and customer.name == "Acme Corporation"
        assert hub.customer(MISSING) is None
        version, fields = hub.customer_fields()
        assert version >= 1 and "name" in fields
        view = hub.customer_360("crm", "C-1")
        assert len(view.sources) >= 2 and view.attributes["segment"] == "enterprise"

    events = message_pact()
    cache = CustomerCache()
    events.verify(lambda body, _metadata: cache.apply(json.loads(body)), "Async")
    assert cache.customers[GID].name in {"Acme Corporation", "Acme Corporation Ltd"}

    write_pact(CONSUMER, http, events)
