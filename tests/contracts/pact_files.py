"""Small pacts written on the fly, for the verifier's failure paths."""

from __future__ import annotations

from pathlib import Path

import httpx
from pact import Pact, match

from tests.contracts.hub_consumers.shapes import EXISTS, GID, golden_path

__all__ = ["missing_field_pact", "unknown_event_pact", "unknown_state_pact"]

PROVIDER = "golden-record-hub"


def missing_field_pact(directory: Path) -> Path:
    """``test-app`` reads ``attributes.vat_id``, which no canonical schema has."""
    pact = Pact("test-app", PROVIDER)
    (
        pact.upon_receiving("a read of a field the hub does not serve")
        .given(EXISTS, {"source": "crm", "source_id": "C-1", "name": "Acme"})
        .with_request("GET", golden_path())
        .will_respond_with(200)
        .with_body({"attributes": {"vat_id": match.str("DE123")}}, "application/json")
    )
    with pact.serve() as server:
        httpx.get(f"{server.url}/api/v1/golden/customer/{GID}")
    pact.write_file(directory, overwrite=True)
    return directory


def unknown_state_pact(directory: Path) -> Path:
    pact = Pact("test-app", PROVIDER)
    (
        pact.upon_receiving("a read in a state the hub does not offer")
        .given("a golden unicorn exists")
        .with_request("GET", "/api/v1/schemas")
        .will_respond_with(200)
    )
    with pact.serve() as server:
        httpx.get(f"{server.url}/api/v1/schemas")
    pact.write_file(directory, overwrite=True)
    return directory


def unknown_event_pact(directory: Path) -> Path:
    """A merged event asked for after a state that merges nothing."""
    pact = Pact("test-app", PROVIDER)
    (
        pact.upon_receiving("an mdm.golden.customer.merged.v1 event", "Async")
        .given(EXISTS, {"name": "Acme"})
        .with_body({"type": "mdm.golden.customer.merged.v1"}, "application/cloudevents+json")
    )
    pact.verify(lambda _body, _metadata: None, "Async")
    pact.write_file(directory, overwrite=True)
    return directory
