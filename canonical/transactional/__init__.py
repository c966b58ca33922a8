"""Transactional events: orders, invoices, payments, subscriptions and support cases that
sources report about customers, their canonical schemas, the state each event leaves
its object in, and the facts and golden attributes derived from them."""

from __future__ import annotations

from canonical.transactional.derived import DERIVED_ATTRIBUTES, carry, derived_lineage
from canonical.transactional.facts import (
    Group,
    facts_from_groups,
    payment_status_after,
    payment_status_of,
)
from canonical.transactional.money import format_micros, parse_micros
from canonical.transactional.schemas import LATEST_VERSION, event_schema_for, validate_event
from canonical.transactional.state import Position, is_older, parse_time, state_after
from canonical.transactional.types import (
    EVENT_TYPES,
    ID_FIELDS,
    OBJECT_TYPES,
    EventKind,
    kind_of,
    object_type_of,
)

__all__ = [
    "DERIVED_ATTRIBUTES",
    "EVENT_TYPES",
    "ID_FIELDS",
    "LATEST_VERSION",
    "OBJECT_TYPES",
    "EventKind",
    "Group",
    "Position",
    "carry",
    "derived_lineage",
    "event_schema_for",
    "facts_from_groups",
    "format_micros",
    "is_older",
    "kind_of",
    "object_type_of",
    "parse_micros",
    "parse_time",
    "payment_status_after",
    "payment_status_of",
    "state_after",
    "validate_event",
]
