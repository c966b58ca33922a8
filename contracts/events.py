"""Integration events the hub publishes, in CloudEvents 1.0 envelopes.

Event types are past tense and versioned (``mdm.golden.customer.created.v1``);
``subject`` is always the golden id so consumers can keep per-record order, and
``correlationid`` (a CloudEvents extension attribute) ties every event back to
the inbound request that caused it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["EVENT_SOURCE", "SPEC_VERSION", "CloudEvent", "golden_event_type"]

SPEC_VERSION = "1.0"
EVENT_SOURCE = "urn:mdm:hub"

GOLDEN_CHANGES = ("created", "updated", "merged", "unmerged")


def golden_event_type(entity_type: str, change: str) -> str:
    if change not in GOLDEN_CHANGES:
        raise ValueError(f"unknown golden change {change!r}")
    return f"mdm.golden.{entity_type}.{change}.v1"


@dataclass(frozen=True, slots=True)
class CloudEvent:
    id: str
    type: str
    subject: str
    time: datetime
    data: Mapping[str, Any]
    correlation_id: str | None = None
    source: str = EVENT_SOURCE

    def envelope(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "data": dict(self.data),
        }
        if self.correlation_id:
            out["correlationid"] = self.correlation_id
        return out
