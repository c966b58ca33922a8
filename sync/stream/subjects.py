"""Which NATS subject carries which event: the naming the AsyncAPI file documents.

Outbound (the hub publishes):

- golden-record changes ``mdm.golden.{entity_type}.{change}.v{n}`` go to
  ``{prefix}.golden.{entity_type}.{change}``;
- other integration events ``mdm.{entity_type}.{name}.v{n}`` (e.g.
  ``mdm.customer.payment_failed.v1``) go to ``{prefix}.{entity_type}.{name}``.

The version stays in the CloudEvents ``type`` and is not a subject token, so a
subscriber filters by subject for *what* happened and reads ``type`` for the schema.

Inbound (sources publish, the hub consumes): ``{prefix}.inbound.{source}.{event type}``,
e.g. ``mdm.inbound.billing.invoice.paid``. The source is the third token, so NATS
permissions can let each source publish only under its own name. ``inbound`` and
``golden`` are therefore reserved: no integration event may use them as its entity.
"""

from __future__ import annotations

import re

__all__ = [
    "INBOUND",
    "UnroutableEventError",
    "inbound_filter",
    "inbound_source",
    "inbound_subject",
    "subject_for",
]

INBOUND = "inbound"
_GOLDEN = "golden"
_EVENT_TYPE = re.compile(r"^mdm\.((?:[a-z0-9_-]+\.)+[a-z0-9_-]+)\.v[0-9]+$")
_TOKEN = re.compile(r"^[a-z0-9_-]+$")


class UnroutableEventError(ValueError):
    """An event type that maps to no subject (malformed, or in a reserved namespace)."""


def subject_for(event_type: str, *, prefix: str) -> str:
    """The subject an outbound event of ``event_type`` is published on."""
    match = _EVENT_TYPE.match(event_type)
    if match is None:
        raise UnroutableEventError(
            f"event type {event_type!r} is not of the form mdm.<entity>.<name>.v<n>"
        )
    tokens = match.group(1).split(".")
    if tokens[0] == _GOLDEN and len(tokens) != 3:
        raise UnroutableEventError(
            f"golden event type {event_type!r} is not mdm.golden.<entity>.<change>.v<n>"
        )
    if tokens[0] == INBOUND:
        raise UnroutableEventError(f"event type {event_type!r} uses the reserved inbound space")
    return ".".join([prefix, *tokens])


def inbound_subject(source: str, event_type: str, *, prefix: str) -> str:
    """Where ``source`` publishes an event such as ``invoice.paid``."""
    tokens = [source, *event_type.split(".")]
    if not all(_TOKEN.match(t) for t in tokens):
        raise UnroutableEventError(f"no inbound subject for {source!r} / {event_type!r}")
    return ".".join([prefix, INBOUND, *tokens])


def inbound_filter(*, prefix: str, source: str | None = None) -> str:
    """A consumer filter for every source's inbound events, or for one source's."""
    return ".".join([prefix, INBOUND, source, ">"] if source else [prefix, INBOUND, ">"])


def inbound_source(subject: str, *, prefix: str) -> tuple[str, str] | None:
    """``(source, event type)`` of an inbound subject, or None for any other subject."""
    head = f"{prefix}.{INBOUND}."
    if not subject.startswith(head):
        return None
    source, _, event_type = subject[len(head) :].partition(".")
    return (source, event_type) if source and event_type else None
