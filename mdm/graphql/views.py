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

__all__ = [
    "PII_ATTRIBUTES",
    "Batch",
    "GoldenView",
    "mask_attributes",
    "scrub_pii",
    "view_from_row",
]

PII_ATTRIBUTES = ("date_of_birth", "email", "phone", "tax_id")
MASK = "***"
_VALUE_KEYS = frozenset({"left", "right", "value", "values", "a", "b", "incoming", "candidate"})
_NAME_KEYS = ("field", "attribute", "comparison", "name")


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


def mask_attributes(
    entity_type: str, attributes: Mapping[str, Any], may_see_pii: bool
) -> tuple[dict[str, Any], list[str]]:
    """Attributes with a person's personal data replaced by ``"***"``.

    Only customers of kind ``person`` carry personal data; organizations'
    email and phone are business contacts and stay visible. Returns the
    attributes and the sorted names that were masked.
    """
    if (
        may_see_pii
        or entity_type != "customer"
        or attributes.get("kind") != "person"
        or not any(k in attributes for k in PII_ATTRIBUTES)
    ):
        return dict(attributes), []
    masked = sorted(k for k in PII_ATTRIBUTES if attributes.get(k) is not None)
    return {k: (MASK if k in masked else v) for k, v in attributes.items()}, masked


def scrub_pii(value: Any, about_pii: bool = False) -> Any:
    """A match explanation with every value of a personal-data field masked.

    Explanations are free-form JSON from the matcher; a value is masked where
    its key is a personal-data attribute, or where its mapping describes one
    (``{"field": "email", "left": ..., "right": ...}`` or ``{"email": {...}}``).
    """
    if isinstance(value, list):
        return [scrub_pii(v, about_pii) for v in value]
    if not isinstance(value, Mapping):
        return value
    about_pii = about_pii or any(value.get(k) in PII_ATTRIBUTES for k in _NAME_KEYS)
    out: dict[str, Any] = {}
    for k, v in value.items():
        if isinstance(v, Mapping | list):
            out[k] = scrub_pii(v, k in PII_ATTRIBUTES)
        elif v is not None and (k in PII_ATTRIBUTES or (about_pii and k in _VALUE_KEYS)):
            out[k] = MASK
        else:
            out[k] = v
    return out
