"""The versioned canonical schemas of transactional events, one per object type.

They live beside the entity schemas (``canonical/schemas/invoice.v1.json``, ...) and
load the same way (:class:`canonical.schemas.CanonicalSchema`, jsonschema-rs with
format checks), so a schema registry takes them in like the entity schemas: by file
name ``<object_type>.v<version>.json`` and :data:`LATEST_VERSION`. Object types are
not entity types: no source record is ever stored under them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from canonical.errors import FieldError, UnknownEntityType
from canonical.schemas import CanonicalSchema
from canonical.transactional.money import parse_micros
from canonical.transactional.state import parse_time
from canonical.transactional.types import EVENT_TYPES, OBJECT_TYPES, object_type_of

__all__ = ["LATEST_VERSION", "event_schema_for", "validate_event"]

LATEST_VERSION: dict[str, int] = dict.fromkeys(OBJECT_TYPES, 1)

# (amount field, the field it may not exceed), per object type
_AT_MOST = {"invoice": ("amount_paid", "amount"), "payment": ("amount_refunded", "amount")}


@cache
def event_schema_for(object_type: str, version: int | None = None) -> CanonicalSchema:
    """The compiled event schema of ``object_type`` at ``version`` (latest when None)."""
    if object_type not in LATEST_VERSION:
        raise UnknownEntityType(
            f"unknown object type '{object_type}'; expected one of {', '.join(OBJECT_TYPES)}"
        )
    ver = version or LATEST_VERSION[object_type]
    text = resources.files("canonical").joinpath(f"schemas/{object_type}.v{ver}.json").read_text()
    document = json.loads(text)
    validator = jsonschema_rs.validator_for(document, validate_formats=True)
    return CanonicalSchema(object_type, ver, document, validator)


def _semantic_errors(object_type: str, event: dict[str, Any]) -> list[FieldError]:
    """What the schema cannot say: times Python cannot hold, a part above its whole."""
    found = []
    data = event["data"]
    times = (
        ("/occurred_at", event["occurred_at"]),
        ("/data/renews_at", data.get("renews_at")),
        ("/data/cancel_at", data.get("cancel_at")),
    )
    for pointer, text in times:
        if text is not None and parse_time(text) is None:
            found.append(FieldError(pointer, f"'{text}' is not a representable time", "format"))
    part, whole = _AT_MOST.get(object_type, (None, None))
    if (
        part
        and whole
        and part in data
        and whole in data
        and (parse_micros(data[part]) > parse_micros(data[whole]))
    ):
        found.append(FieldError(f"/data/{part}", f"'{part}' exceeds '{whole}'", "too_large"))
    return found


def validate_event(event: Any) -> tuple[CanonicalSchema | None, list[FieldError]]:
    """The schema ``event`` is checked against (None when its type names none) and every
    breach of it, each at the JSON pointer of its place."""
    if not isinstance(event, dict):
        return None, [FieldError("/", "an event is a JSON object", "type")]
    object_type = object_type_of(event.get("type"))
    if object_type is None:
        known = ", ".join(sorted(EVENT_TYPES))
        message = f"unknown event type {event.get('type')!r}; expected one of {known}"
        return None, [FieldError("/type", message, "enum")]
    schema = event_schema_for(object_type)
    errors = schema.errors(event)
    if not errors:
        errors = _semantic_errors(object_type, event)
    return schema, errors
