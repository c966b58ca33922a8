"""Reads: golden records (now or as of a time), their history, and xrefs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from canonical.errors import NotFound
from canonical.privacy import mask_attributes, mask_lineage
from canonical.schemas import schema_for
from canonical.timestamps import iso
from mdm.db.uow import UnitOfWork

__all__ = ["get_golden", "get_history", "get_xref", "shown"]


def _xref_view(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": rec["source"],
        "source_id": rec["source_id"],
        "record_version": rec["version"],
        "schema_version": rec["schema_version"],
        "source_updated_at": iso(rec["source_updated_at"]),
        "received_at": iso(rec["received_at"]),
    }


def shown(
    entity_type: str, attributes: dict[str, Any], lineage: dict[str, Any] | None, pii: bool
) -> dict[str, Any]:
    """Attributes and lineage as a caller sees them: personal data masked without ``pii``
    (``masked`` names what was masked)."""
    attrs, masked = mask_attributes(entity_type, attributes, pii)
    out: dict[str, Any] = {"attributes": attrs}
    if lineage is not None:
        out["lineage"] = mask_lineage(entity_type, attributes, lineage, pii)
    if masked:
        out["masked"] = masked
    return out


def get_golden(
    uow: UnitOfWork,
    *,
    entity_type: str,
    golden_id: str,
    as_of: datetime | None = None,
    pii: bool = False,
) -> dict[str, Any]:
    """The golden record with lineage and xrefs; a merged-away id resolves to its survivor.
    Personal data is masked unless ``pii``."""
    schema_for(entity_type)
    row = uow.goldens.get(golden_id)
    if row is None or row["entity_type"] != entity_type:
        raise NotFound(f"no {entity_type} golden record '{golden_id}'")
    resolved_from = None
    if as_of is None and row["status"] == "merged" and row["merged_into"]:
        survivor = uow.goldens.get(uow.goldens.survivor_of(golden_id))
        if survivor is not None and survivor["id"] != golden_id:
            resolved_from, row = golden_id, survivor
    out: dict[str, Any] = {
        "id": row["id"],
        "entity_type": row["entity_type"],
        "status": row["status"],
        "merged_into": row["merged_into"],
        "resolved_from": resolved_from,
        "created_at": iso(row["created_at"]),
    }
    if as_of is None:
        members = uow.records.members_of([row["id"]])
        out |= {
            "version": row["version"],
            "updated_at": iso(row["updated_at"]),
            **shown(entity_type, row["attributes"], row["lineage"], pii),
            "xrefs": [_xref_view(m) for m in members],
        }
        return out
    version = uow.goldens.version_as_of(row["id"], as_of)
    if version is None:
        raise NotFound(f"{entity_type} golden record '{golden_id}' did not exist at {iso(as_of)}")
    out |= {
        "version": version["version"],
        "status": version["status"],
        "updated_at": iso(version["recorded_at"]),
        "as_of": iso(as_of),
        **shown(entity_type, version["attributes"], version["lineage"], pii),
        "xrefs": [
            {"source": s, "source_id": i, "record_version": v} for s, i, v in version["members"]
        ],
    }
    return out


def get_history(
    uow: UnitOfWork, *, entity_type: str, golden_id: str, limit: int = 100, pii: bool = False
) -> list[dict[str, Any]]:
    row = uow.goldens.get(golden_id)
    if row is None or row["entity_type"] != entity_type:
        raise NotFound(f"no {entity_type} golden record '{golden_id}'")
    return [
        {
            "version": v["version"],
            "status": v["status"],
            "cause": v["cause"],
            "changed": v["changed"],
            "correlation_id": v["correlation_id"],
            "recorded_at": iso(v["recorded_at"]),
            **shown(entity_type, v["attributes"], None, pii),
        }
        for v in uow.goldens.history(golden_id, limit)
    ]


def get_xref(uow: UnitOfWork, *, source: str, entity_type: str, source_id: str) -> dict[str, Any]:
    schema_for(entity_type)
    found = uow.records.by_source_ids(source, entity_type, [source_id])
    rec = found.get(source_id)
    if rec is None:
        raise NotFound(f"no {entity_type} record '{source_id}' from source '{source}'")
    golden = uow.goldens.get(rec["golden_id"])
    return {
        "source": source,
        "entity_type": entity_type,
        "source_id": source_id,
        "golden_id": rec["golden_id"],
        "golden_status": golden["status"] if golden else None,
        **{k: v for k, v in _xref_view(rec).items() if k not in ("source", "source_id")},
    }
