"""Read-model objects that GraphQL types resolve from, and attribute masking.

A :class:`GoldenView` is one golden record as the request sees it: now, or as
of a time. Views fetched by one batch load share a :class:`Batch`; the
relation loaders fetch for the whole batch at once when any member first asks,
so a list of N records costs one query per relation, not N.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from canonical.privacy import PERSONAL_ATTRIBUTES, mask_attributes, scrub

__all__ = [
    "PII_ATTRIBUTES",
    "Batch",
    "GoldenView",
    "mask_attributes",
    "scrub_pii",
    "view_from_row",
]

PII_ATTRIBUTES = PERSONAL_ATTRIBUTES["customer"]


class Batch:
    """The views one batch load produced together (the loader's sibling group)."""

    __slots__ = ("views",)

    def __init__(self) -> None:
        self.views: list[GoldenView] = []


@dataclass(slots=True, eq=False)
class GoldenView:
    id: str
    entity_type: str
    version: int
    status: str
    merged_into: str | None
    attributes: dict[str, Any]
    lineage_raw: Any
    created_at: datetime
    updated_at: datetime
    batch: Batch
    as_of: datetime | None = None
    members: list[Any] | None = None
    resolved_from: str | None = None
    _masked: dict[bool, tuple[dict[str, Any], list[str]]] = field(default_factory=dict)

    @property
    def lineage(self) -> dict[str, Any]:
        """Lineage by attribute; decoded on first use (lists of records rarely ask)."""
        raw = self.lineage_raw
        if isinstance(raw, str | bytes):
            raw = self.lineage_raw = orjson.loads(raw)
        return raw or {}

    def as_alias(self, requested_id: str) -> GoldenView:
        """This (survivor) view, answering for a merged-away ``requested_id``."""
        return replace(self, resolved_from=requested_id, _masked={})

    def masked(self, may_see_pii: bool) -> tuple[dict[str, Any], list[str]]:
        hit = self._masked.get(may_see_pii)
        if hit is None:
            hit = mask_attributes(self.entity_type, self.attributes, may_see_pii)
            self._masked[may_see_pii] = hit
        return hit


def view_from_row(
    row: Mapping[str, Any], batch: Batch, as_of: datetime | None = None
) -> GoldenView:
    view = GoldenView(
        id=row["id"],
        entity_type=row["entity_type"],
        version=row["version"],
        status=row["status"],
        merged_into=row["merged_into"],
        attributes=row["attributes"] or {},
        lineage_raw=row["lineage"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        batch=batch,
        as_of=as_of,
        members=row.get("members") if as_of is not None else None,
    )
    batch.views.append(view)
    return view


def scrub_pii(value: Any) -> Any:
    """A match explanation with every value of a personal-data field masked."""
    return scrub(value)
