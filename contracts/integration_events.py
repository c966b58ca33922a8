"""Integration events that are not golden-record versions, and who may subscribe to them.

``mdm.customer.payment_failed.v1`` says a payment of a golden customer failed (the
collections branch): raised once per payment when it first stands failed on a known
customer, in the same transaction that set the customer's ``payment_status`` to
``past_due``. ``subject`` is the golden id (per-record order on the stream, like golden
events); ``data.golden_version`` is the customer's version carrying that status.

A target subscribes by naming the event's *topic* among its ``entity_types``
(``"customer.payment_failed"``): it then receives the customer's state at that version
through its normal delivery, whatever else it takes. On the event stream the event is
published on ``<prefix>.customer.payment_failed``.
"""

from __future__ import annotations

from typing import Any

from contracts.events import EVENT_SOURCE, SPEC_VERSION

__all__ = [
    "PAYMENT_FAILED",
    "TOPICS",
    "integration_event_schemas",
    "payment_failed_schema",
    "topic_of",
]

PAYMENT_FAILED = "mdm.customer.payment_failed.v1"
TOPICS: dict[str, str] = {PAYMENT_FAILED: "customer.payment_failed"}


def topic_of(event_type: str) -> str | None:
    """The subscription topic of a non-golden integration event type, if targets may
    subscribe to it."""
    return TOPICS.get(event_type)


_TEXT = {"type": "string", "minLength": 1}
_NULLABLE_TEXT = {"type": ["string", "null"]}


def payment_failed_schema() -> dict[str, Any]:
    """The published schema of ``mdm.customer.payment_failed.v1`` envelopes (open content
    models: ignore properties you do not know)."""
    data = {
        "type": "object",
        "required": [
            "golden_id",
            "golden_version",
            "payment_status",
            "source",
            "source_event_id",
            "payment_id",
            "amount",
            "currency",
            "occurred_at",
        ],
        "properties": {
            "golden_id": {**_TEXT, "description": "the golden customer; equals subject"},
            "golden_version": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "the customer's version that carries payment_status",
            },
            "payment_status": {"enum": ["past_due", "current"]},
            "parent_id": {
                **_NULLABLE_TEXT,
                "description": "the customer's parent golden id (deliveries keep hierarchy order)",
            },
            "source": {**_TEXT, "description": "the source that reported the failure"},
            "source_event_id": {**_TEXT, "description": "the source's id of the failing event"},
            "payment_id": _TEXT,
            "invoice_id": _NULLABLE_TEXT,
            "amount": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "failure_code": _NULLABLE_TEXT,
            "failure_message": _NULLABLE_TEXT,
            "occurred_at": {"type": "string", "format": "date-time"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:mdm:events:{PAYMENT_FAILED}",
        "title": PAYMENT_FAILED,
        "description": f"A CloudEvents {SPEC_VERSION} envelope: a payment of a golden customer "
        "failed. Open content models: ignore properties you do not know.",
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
            "id": _TEXT,
            "source": {**_TEXT, "examples": [EVENT_SOURCE]},
            "type": {"const": PAYMENT_FAILED},
            "subject": {**_TEXT, "description": "the golden id"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "correlationid": _TEXT,
            "data": data,
        },
    }


def integration_event_schemas() -> dict[str, dict[str, Any]]:
    """Event type -> published schema, for every integration event that is not a golden
    record version (the files in ``contracts/events/`` are their output)."""
    return {PAYMENT_FAILED: payment_failed_schema()}
