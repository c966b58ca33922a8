"""Apply a target's field mapping (contracts.targets.mapping) to one outbound record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.targets.mapping import render, virtual_attributes
from sync.connectors.base import OutboundRecord

__all__ = ["mapped"]


def mapped(
    record: OutboundRecord,
    fields: Mapping[str, Any],
    *,
    placeholders: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``{target_path: value}`` for every mapped field, None where the record has no value."""
    virtuals = virtual_attributes(
        golden_id=record.golden_id,
        version=record.version,
        status=record.status,
        merged_into=record.merged_into,
        attributes=record.attributes,
    )
    return render(fields, record.attributes, virtuals, placeholders=placeholders)
