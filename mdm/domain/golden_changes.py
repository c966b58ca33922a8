"""What one change of a golden record writes besides the record: its version row and
its outbox event, built from the state after the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import uuid_utils

from contracts.events import CloudEvent, golden_event_type
from mdm.domain.golden_state import GoldenState

__all__ = ["version_and_event"]


def version_and_event(
    g: GoldenState,
    *,
    cause: str,
    changed: list[str],
    change: str | None,
    correlation_id: str | None,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``golden_version`` row and the outbox row of ``g``'s current version; ``change``
    names the event (``created`` for a first version, ``updated`` otherwise, unless given)."""
    members = sorted([r["source"], r["source_id"], r["version"]] for r in g.members.values())
    version = {
        "golden_id": g.id,
        "version": g.version,
        "status": g.status,
        "attributes": g.attributes,
        "lineage": g.lineage,
        "members": members,
        "changed": changed,
        "cause": cause,
        "correlation_id": correlation_id,
        "recorded_at": now,
    }
    change = change or ("created" if g.version == 1 else "updated")
    event = CloudEvent(
        id=str(uuid_utils.uuid7()),
        type=golden_event_type(g.entity_type, change),
        subject=g.id,
        time=now,
        correlation_id=correlation_id,
        data={
            "entity_type": g.entity_type,
            "golden_id": g.id,
            "version": g.version,
            "status": g.status,
            "merged_into": g.merged_into,
            "cause": cause,
            "changed": changed,
            "attributes": g.attributes,
            "xrefs": [{"source": m[0], "source_id": m[1]} for m in members],
        },
    )
    outbox = {
        "event_id": event.id,
        "event_type": event.type,
        "subject": g.id,
        "entity_type": g.entity_type,
        "golden_version": g.version,
        "envelope": event.envelope(),
        "correlation_id": correlation_id,
        "created_at": now,
    }
    return version, outbox
