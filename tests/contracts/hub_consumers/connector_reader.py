"""How each connector consumes the hub, and which golden attributes it reads.

A connector turns a golden record into its target's fields with its field mapping
(``sync.connectors.mapping.mapped`` over ``contracts/targets/<kind>.mapping.json``, the
code every connector renders with). In the hub the dispatcher hands it the golden row;
a connector running beside the hub gets the same record from a golden event or reads it
from the REST or GraphQL API. These readers turn each of those shapes into the
``OutboundRecord`` the connector renders, so a consumer test runs the real mapping on what
the mock hub served.

:func:`read_attributes` finds what a mapping reads by rendering a complete customer with
each attribute (and each address field) left out in turn: whatever changes the rendering
is read. The pacts ask for exactly those attributes, so a mapping change moves its pact.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from contracts.targets import resolve_options, target_mapping
from sync.connectors import OutboundRecord
from sync.connectors.mapping import mapped

__all__ = [
    "EXAMPLE",
    "SOURCES",
    "expected_fields",
    "read_attributes",
    "record_from_event",
    "record_from_golden",
    "record_from_graphql",
    "target_fields",
]

SOURCES = {"salesforce": "crm", "stripe": "billing", "netsuite": "erp", "zendesk": "support"}
PARENT_GID = "fedcba9876543210fedcba9876543210"
EXAMPLE: dict[str, Any] = {
    "kind": "organization",
    "name": "Acme GmbH",
    "legal_form": "GmbH",
    "tax_id": "DE123456789",
    "registration_number": "HRB 12345",
    "email": "ap@acme-billing.example",
    "phone": "+49 30 1234567",
    "website": "https://www.acme.example",
    "address": {
        "line1": "Hauptstr. 1",
        "line2": "Aufgang B",
        "city": "Berlin",
        "region": "BE",
        "postcode": "10115",
        "country": "DE",
    },
    "parent": PARENT_GID,
    "segment": "enterprise",
    "industry": "Manufacturing",
    "currency": "EUR",
    "payment_terms": "net30",
    "status": "active",
    "owner": "dana@hub.example",
}


def _record(golden_id: str, version: int, status: str, merged_into: Any, attrs: Any) -> Any:
    return OutboundRecord(
        golden_id=golden_id,
        entity_type="customer",
        version=version,
        status=status,  # type: ignore[arg-type]
        merged_into=merged_into,
        attributes=attrs,
        target_id=None,
        delivery_id=f"contract-{golden_id}",
    )


def target_fields(kind: str, record: OutboundRecord) -> dict[str, Any]:
    """What the connector of ``kind`` sends for ``record`` with its default mapping."""
    options = resolve_options(kind, {})
    placeholders = {k: v for k, v in options.items() if isinstance(v, str)}
    return mapped(record, target_mapping(kind, None, options), placeholders=placeholders)


def read_attributes(kind: str) -> dict[str, Any]:
    """The part of :data:`EXAMPLE` the kind's mapping reads (objects narrowed to the fields
    it reads), always with ``kind``."""
    full = target_fields(kind, _record("g", 1, "active", None, EXAMPLE))
    read: dict[str, Any] = {"kind": EXAMPLE["kind"]}
    for name, value in EXAMPLE.items():
        if isinstance(value, Mapping):
            inner = {}
            for key in value:
                attrs = copy.deepcopy(EXAMPLE)
                del attrs[name][key]
                if target_fields(kind, _record("g", 1, "active", None, attrs)) != full:
                    inner[key] = value[key]
            if inner:
                read[name] = inner
            continue
        attrs = {k: v for k, v in EXAMPLE.items() if k != name}
        if target_fields(kind, _record("g", 1, "active", None, attrs)) != full:
            read[name] = value
    return read


def expected_fields(kind: str, golden_id: str) -> dict[str, Any]:
    """What the connector sends for a golden customer with the attributes it reads."""
    return target_fields(kind, _record(golden_id, 1, "active", None, read_attributes(kind)))


def record_from_golden(body: Mapping[str, Any]) -> OutboundRecord:
    """``GET /api/v1/golden/customer/{id}``."""
    return _record(
        body["id"], body["version"], body["status"], body["merged_into"], body["attributes"]
    )


def record_from_graphql(node: Mapping[str, Any]) -> OutboundRecord:
    """``customer``/``customerByXref`` with ``id version status mergedInto attributes { all }``."""
    return _record(
        node["id"], node["version"], node["status"], node["mergedInto"], node["attributes"]["all"]
    )


def record_from_event(envelope: Mapping[str, Any]) -> OutboundRecord:
    """A golden event (``mdm.golden.customer.*.v1``)."""
    data = envelope["data"]
    return _record(
        data["golden_id"],
        data["version"],
        data["status"],
        data["merged_into"],
        data.get("attributes") or {},
    )
