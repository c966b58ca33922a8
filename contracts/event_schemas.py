"""JSON Schemas of the golden events the hub publishes, one registry subject per event type.

The files in ``contracts/events/`` (``mdm.golden.customer.created.v1.json``, ...) are the
published schemas: each is revision 1 of the subject named by its event type. The ``.v1``
in a type is its major version: a change consumers cannot absorb gets a new type
(``.v2``), published beside the old one; a change they can absorb is a new revision of
the same subject, registered in the schema registry under the event default mode
(``FORWARD_TRANSITIVE``: consumers of every earlier revision still read the new events).

Every object in these schemas is an open content model: consumers must ignore properties
they do not know (CloudEvents asks the same of extension attributes), which is what lets
a new optional canonical attribute reach events without breaking anyone.

:func:`golden_event_schema` builds a schema from a canonical entity schema (the
attributes of a golden record are its canonical attributes), so when a canonical version
is registered the registry can derive the next event revision and check it; the files
are its output for the v1 canonical schemas, and a test keeps them so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from contracts.events import EVENT_SOURCE, GOLDEN_CHANGES, SPEC_VERSION

__all__ = [
    "NOT_ATTRIBUTES",
    "event_schema",
    "event_types",
    "golden_event_schema",
]

NOT_ATTRIBUTES = ("extensions", "source_updated_at")
"""Canonical properties that describe the source record, not the thing: never in a
golden record's attributes (survivorship drops them)."""

GOLDEN_STATUSES = ("active", "merged")

_DIRECTORY = "events"


@cache
def _texts() -> dict[str, str]:
    folder = resources.files("contracts").joinpath(_DIRECTORY)
    return {
        entry.name.removesuffix(".json"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


def event_types() -> tuple[str, ...]:
    """Every event type with a published schema, sorted."""
    return tuple(sorted(_texts()))


def event_schema(event_type: str) -> dict[str, Any]:
    """The published schema (revision 1) of ``event_type``; a fresh copy each call."""
    try:
        return dict(json.loads(_texts()[event_type]))
    except KeyError:
        known = ", ".join(event_types())
        raise KeyError(f"no schema for event type {event_type!r}; known: {known}") from None


def _opened(schema: Any) -> Any:
    """``schema`` with every ``additionalProperties: false`` removed (open content models)."""
    if isinstance(schema, Mapping):
        return {
            k: _opened(v)
            for k, v in schema.items()
            if not (k == "additionalProperties" and v is False)
        }
    if isinstance(schema, list):
        return [_opened(v) for v in schema]
    return schema


def _attributes(canonical: Mapping[str, Any], excluded: Iterable[str]) -> dict[str, Any]:
    skip = set(excluded)
    properties = {
        name: _opened(sub) for name, sub in canonical["properties"].items() if name not in skip
    }
    return {
        "type": "object",
        "description": "The golden record's surviving canonical attributes; references "
        "(parent, product) hold golden ids.",
        "properties": properties,
    }


def _data(entity_type: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [
            "entity_type",
            "golden_id",
            "version",
            "status",
            "merged_into",
            "cause",
            "changed",
            "attributes",
            "xrefs",
        ],
        "properties": {
            "entity_type": {"const": entity_type},
            "golden_id": {"type": "string", "minLength": 1, "description": "equals subject"},
            "version": {"type": "integer", "minimum": 1},
            "status": {"enum": list(GOLDEN_STATUSES)},
            "merged_into": {
                "type": ["string", "null"],
                "description": "the survivor's golden id when status is merged",
            },
            "cause": {
                "type": "string",
                "minLength": 1,
                "examples": ["record_created", "record_linked", "source_updated", "merged"],
            },
            "changed": {
                "type": "array",
                "items": {"type": "string"},
                "uniqueItems": True,
                "description": "names of the attributes (or status) this version changed",
            },
            "attributes": {"$ref": "#/$defs/attributes"},
            "xrefs": {"type": "array", "items": {"$ref": "#/$defs/xref"}},
        },
    }


_XREF = {
    "type": "object",
    "required": ["source", "source_id"],
    "properties": {
        "source": {"type": "string", "minLength": 1},
        "source_id": {"type": "string", "minLength": 1},
    },
}


def golden_event_schema(
    entity_type: str,
    change: str,
    canonical: Mapping[str, Any],
    *,
    excluded: Iterable[str] = NOT_ATTRIBUTES,
) -> dict[str, Any]:
    """The schema of ``mdm.golden.<entity_type>.<change>.v1`` envelopes whose attributes
    follow the canonical schema ``canonical`` (its ``$defs`` are carried along)."""
    if change not in GOLDEN_CHANGES:
        raise ValueError(f"unknown golden change {change!r}")
    event_type = f"mdm.golden.{entity_type}.{change}.v1"
    defs = {name: _opened(sub) for name, sub in canonical.get("$defs", {}).items()}
    for own in ("data", "xref", "attributes"):
        if own in defs:
            raise ValueError(f"the canonical $defs name {own!r} is taken by the event schema")
    defs.update(
        {"data": _data(entity_type), "xref": _XREF, "attributes": _attributes(canonical, excluded)}
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:mdm:events:{event_type}",
        "title": event_type,
        "description": f"A CloudEvents {SPEC_VERSION} envelope: golden {entity_type} {change}. "
        "Open content models: ignore properties you do not know.",
        "type": "object",
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "data",
        ],
        "properties": {
            "specversion": {"const": SPEC_VERSION},
            "id": {"type": "string", "minLength": 1},
            "source": {"type": "string", "minLength": 1, "examples": [EVENT_SOURCE]},
            "type": {"const": event_type},
            "subject": {"type": "string", "minLength": 1, "description": "the golden id"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "correlationid": {
                "type": "string",
                "minLength": 1,
                "description": "ties the event to the inbound request that caused it",
            },
            "data": {"$ref": "#/$defs/data"},
        },
        "$defs": defs,
    }
