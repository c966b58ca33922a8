"""The states a golden record, a steward task and an outbound delivery can be in, and what
ingest did with a record.

String enums: each member is its own stored and wire value (``TaskStatus.OPEN == "open"``),
so rows, JSON answers and API filters read exactly as before, while the code names a state
instead of spelling it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DeliveryState", "GoldenStatus", "IngestAction", "TaskStatus"]


class GoldenStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"  # merged into another golden record (``merged_into``)


class TaskStatus(StrEnum):
    OPEN = "open"
    DEFERRED = "deferred"  # put aside by a steward; still open
    APPROVED = "approved"
    REJECTED = "rejected"
    RESOLVED = "resolved"  # settled: a steward's "resolve", or a later change that settled it


class DeliveryState(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"  # claimed by a worker under a lease
    DELIVERED = "delivered"
    DEAD = "dead"  # a dead letter: a steward or operator replays it
    HELD = "held"  # not ready for the target (its readiness rules), waiting for a change


class IngestAction(StrEnum):
    """What ingest did with one record (``action`` of a PUT's or a batch item's answer)."""

    CREATED = "created"  # a new golden record
    LINKED = "linked"  # joined an existing golden record
    UPDATED = "updated"  # a new version of a record the hub holds
    UNCHANGED = "unchanged"  # the same content again
    STALE = "stale"  # older, by the source's clock, than the version held
    REVIEW = "review"  # a new golden record, and a review task for the doubtful match
    REJECTED = "rejected"  # invalid: quarantined, nothing written
