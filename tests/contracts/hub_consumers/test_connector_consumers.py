"""Consumer pacts: our four connectors (CRM, billing, ERP, support) as consumers of the hub.

Each connector reads the latest state of a golden customer (REST, or GraphQL for the
support connector) and consumes the golden events of customers: created and updated (it
pushes the record), merged (it retires the merged-away one as its ``on_merge`` option
says). The pact asks for exactly the attributes the connector's default mapping reads
(:func:`~tests.contracts.hub_consumers.connector_reader.read_attributes`), and the test
renders what the mock hub served through that mapping.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pact import Pact, match

from tests.contracts.hub_consumers.connector_reader import (
    SOURCES,
    expected_fields,
    read_attributes,
    record_from_event,
    record_from_golden,
    record_from_graphql,
    target_fields,
)
from tests.contracts.hub_consumers.pact_writer import PROVIDER, write_pact
from tests.contracts.hub_consumers.shapes import (
    EXISTS,
    GID,
    MERGED,
    OTHER_GID,
    UPDATED,
    envelope,
    golden_id,
    golden_path,
)

pytestmark = pytest.mark.contract

JSON = "application/json"
EVENTS = "application/cloudevents+json"
BY_XREF = (
    "query Organization($source: String!, $sourceId: String!) { "
    "customerByXref(source: $source, sourceId: $sourceId) { "
    "id version status mergedInto attributes { all } } }"
)


def state_params(kind: str) -> dict[str, Any]:
    """``a golden customer exists`` with everything the connector reads; a parent is a
    record of the same source, named here by what it is."""
    params: dict[str, Any] = {"source": SOURCES[kind], "source_id": f"{kind}-1"}
    for name, value in read_attributes(kind).items():
        params[name] = {"name": "Acme Holding"} if name == "parent" else value
    return params


def served_attributes(kind: str) -> dict[str, Any]:
    return {
        name: golden_id(OTHER_GID) if name == "parent" else match.like(value)
        for name, value in read_attributes(kind).items()
    }


def golden(kind: str, *, version: int = 1) -> dict[str, Any]:
    return {
        "id": golden_id(),
        "version": match.int(version),
        "status": "active",
        "merged_into": None,
        "attributes": served_attributes(kind),
    }


def http_pact(kind: str) -> Pact:
    pact = Pact(f"mdm-{kind}-connector", PROVIDER)
    if kind == "zendesk":
        variables = {"source": SOURCES[kind], "sourceId": f"{kind}-1"}
        node = golden(kind)
        node["mergedInto"] = node.pop("merged_into")
        node["attributes"] = {"all": node["attributes"]}
        (
            pact.upon_receiving("a GraphQL query for the latest state of a golden customer")
            .given(EXISTS, state_params(kind))
            .with_request("POST", "/graphql")
            .with_body({"query": BY_XREF, "variables": variables}, JSON)
            .will_respond_with(200)
            .with_body({"data": {"customerByXref": node}}, JSON)
        )
        return pact
    (
        pact.upon_receiving("a read of the latest state of a golden customer")
        .given(EXISTS, state_params(kind))
        .with_request("GET", golden_path())
        .will_respond_with(200)
        .with_body(golden(kind), JSON)
    )
    return pact


def read_latest(kind: str, base_url: str) -> Any:
    """What the connector does: read the golden record, as the record it renders."""
    with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer k"}) as hub:
        if kind == "zendesk":
            variables = {"source": SOURCES[kind], "sourceId": f"{kind}-1"}
            r = hub.post("/graphql", json={"query": BY_XREF, "variables": variables})
            return record_from_graphql(r.raise_for_status().json()["data"]["customerByXref"])
        r = hub.get(f"/api/v1/golden/customer/{GID}")
        return record_from_golden(r.raise_for_status().json())


def message_pact(kind: str) -> Pact:
    pact = Pact(f"mdm-{kind}-connector", PROVIDER)
    params = state_params(kind)
    for change, state, version in (
        ("created", (EXISTS, params), 1),
        ("updated", (UPDATED, {**params, "previous": {"name": "Acme"}}), 2),
    ):
        event_type = f"mdm.golden.customer.{change}.v1"
        data = golden(kind, version=version)
        data["golden_id"] = data.pop("id")
        (
            pact.upon_receiving(f"an {event_type} event", "Async")
            .given(*state)
            .with_body(envelope(event_type, data), EVENTS)
        )
    source = SOURCES[kind]
    merge = {
        "survivor": {"source": source, "source_id": f"{kind}-1", "name": "Acme GmbH"},
        "merged": {"source": source, "source_id": f"{kind}-2", "name": "Globex Corporation"},
    }
    merged = {
        "golden_id": golden_id(OTHER_GID),
        "version": match.int(2),
        "status": "merged",
        "merged_into": golden_id(),
    }
    (
        pact.upon_receiving("an mdm.golden.customer.merged.v1 event", "Async")
        .given(MERGED, merge)
        .with_body(envelope("mdm.golden.customer.merged.v1", merged, subject=OTHER_GID), EVENTS)
    )
    return pact


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_a_connector_renders_what_the_hub_serves_and_publishes(kind: str) -> None:
    http = http_pact(kind)
    with http.serve() as server:
        latest = read_latest(kind, str(server.url))
    sent = target_fields(kind, latest)
    assert sent == expected_fields(kind, GID)

    events = message_pact(kind)
    rendered: dict[str, Any] = {}

    def consume(body: Any, _metadata: Any) -> None:
        record = record_from_event(json.loads(body))
        if record.status == "merged":
            assert record.merged_into and record.golden_id != record.merged_into
            rendered["merged"] = record.merged_into
        else:
            rendered[f"v{record.version}"] = target_fields(kind, record)

    events.verify(consume, "Async")
    assert rendered["v1"] == rendered["v2"] == sent
    assert rendered["merged"] == GID

    write_pact(f"mdm-{kind}-connector", http, events)
