"""The relay: from the outbox, in commit order, to one delivery per (target, golden record).

One planner runs at a time (it holds the ``deliveries`` relay position for its
transaction; other workers skip planning meanwhile). Each golden event queues
its record for every enabled target of its entity type at the event's version;
versions coalesce in the delivery row, so a burst of changes to one record is
one delivery of its latest state. An integration event with a topic
(:mod:`contracts.integration_events`: ``customer.payment_failed``) queues its
golden record, at the version the event names, for the targets that list the
topic among their ``entity_types``; other integration events reach no target.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from contracts.integration_events import topic_of
from mdm.plugin_api import UnitOfWork

__all__ = ["POSITION", "delivery_id", "parent_of", "plan_deliveries", "plan_rows"]

POSITION = "deliveries"


def delivery_id(target: str, golden_id: str) -> str:
    """Stable per (target, golden record): the same across retries and versions."""
    return hashlib.blake2b(f"{target}|{golden_id}".encode(), digest_size=16).hexdigest()


# the attribute naming the golden record a target needs first: a customer's parent, a
# price's product (a price is never delivered before its product)
_PARENT_ATTRIBUTE = {"customer": "parent", "price": "product"}


def parent_of(entity_type: str | None, attributes: Mapping[str, Any] | None) -> str | None:
    """The golden id a record's delivery waits for (its parent, a price's product), if any."""
    name = _PARENT_ATTRIBUTE.get(entity_type or "")
    parent = (attributes or {}).get(name) if name else None
    return parent if isinstance(parent, str) else None


def _parent(event: Mapping[str, Any]) -> str | None:
    data = event["envelope"].get("data") or {}
    # golden events carry the attributes; integration events the customer's parent_id
    attributes = data.get("attributes") or {"parent": data.get("parent_id")}
    return parent_of(event["entity_type"], attributes)


def _routing(event: Mapping[str, Any]) -> tuple[str, int] | None:
    """What targets subscribe by (entity type, or an integration event's topic) and the
    golden version to deliver; None for an event no target takes."""
    if event["entity_type"] is None:
        return None
    if event["golden_version"] is not None:
        return event["entity_type"], int(event["golden_version"])
    topic = topic_of(event["event_type"])
    version = (event["envelope"].get("data") or {}).get("golden_version")
    return (topic, int(version)) if topic and isinstance(version, int) else None


def plan_rows(
    events: Sequence[Mapping[str, Any]], targets: Sequence[Mapping[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The delivery upserts for ``events`` (newest version per pair wins)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        routing = _routing(event)
        if routing is None:
            continue
        subscription, version = routing
        for target in targets:
            # a row stored with a malformed entity_types (before it was checked) queues
            # nothing rather than stopping the planning of every target
            subscribed = target["entity_types"]
            if not target["enabled"] or not isinstance(subscribed, list):
                continue
            if subscription not in subscribed:
                continue
            key = (target["name"], event["subject"])
            if key in rows and rows[key]["wanted_version"] >= version:
                continue
            rows[key] = {
                "id": delivery_id(*key),
                "target": target["name"],
                "golden_id": event["subject"],
                "entity_type": event["entity_type"],
                "parent_golden_id": _parent(event),
                "wanted_version": version,
                "correlation_id": event["correlation_id"],
                "changed_at": rows[key]["changed_at"] if key in rows else event["created_at"],
                "now": now,
            }
    return list(rows.values())


def plan_deliveries(uow: UnitOfWork, *, now: datetime, batch: int = 2000) -> int:
    """Plan the next ``batch`` outbox events; returns how many were read (0: caught up,
    or another worker is planning)."""
    position = uow.relay_positions.hold(POSITION, now)
    if position is None:
        return 0
    events = uow.outbox.after(position, batch)
    if not events:
        return 0
    uow.deliveries.plan(plan_rows(events, uow.targets.all(), now))
    uow.relay_positions.move(POSITION, events[-1]["seq"], now)
    return len(events)
