"""Reads: golden records (now or as of a time), their history, and xrefs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from canonical.errors import NotFound
from canonical.privacy import mask_attributes, mask_lineage
from canonical.schemas import schema_for
from canonical.timestamps import iso
from mdm.db.read import Row
from mdm.db.read.rows import survivor_id
from mdm.db.uow import UnitOfWork

__all__ = ["get_golden", "get_history", "get_xref", "shown"]


def _xref_view(rec: Mapping[str, Any]) -> dict[str, Any]:
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


def _current(uow: UnitOfWork, entity_type: str, golden_id: str) -> Row:
    row = uow.reads.golden_rows([golden_id]).get(golden_id)
    if row is None or row["entity_type"] != entity_type:
        raise NotFound(f"no {entity_type} golden record '{golden_id}'")
    return row


def get_golden(
    uow: UnitOfWork,
    *,
    entity_type: str,
    golden_id: str,
    as_of: datetime | None = None,
    pii: bool = False,
) -> dict[str, Any]:
    """The golden record with lineage and xrefs; a merged-away id resolves to its survivor.
    Personal data is masked unless ``pii``. Read through :class:`~mdm.db.read.ReadModel`,
    as GraphQL reads it."""
    schema_for(entity_type)
    if as_of is not None:
        return _golden_as_of(uow, entity_type, _current(uow, entity_type, golden_id), as_of, pii)
    rows = uow.reads.merge_chain_rows(golden_id)
    row = rows.get(golden_id)
    if row is None or row["entity_type"] != entity_type:
        raise NotFound(f"no {entity_type} golden record '{golden_id}'")
    resolved_from = None
    survivor = rows.get(survivor_id(rows, golden_id))
    if survivor is not None and survivor["id"] != golden_id:
        resolved_from, row = golden_id, survivor
    members = uow.reads.member_rows([row["id"]], order="id").get(row["id"], [])
    return _head(row, resolved_from) | {
        "version": row["version"],
        "updated_at": iso(row["updated_at"]),
        **shown(entity_type, row["attributes"], _lineage(row["lineage"]), pii),
        "xrefs": [_xref_view(m) for m in members],
    }


def _head(row: Row, resolved_from: str | None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "entity_type": row["entity_type"],
        "status": row["status"],
        "merged_into": row["merged_into"],
        "resolved_from": resolved_from,
        "created_at": iso(row["created_at"]),
    }


def _lineage(raw: Any) -> Any:
    """The read model's lineage (JSON text) decoded, as the write side's column gives it."""
    return orjson.loads(raw) if isinstance(raw, str | bytes) else raw


def _golden_as_of(
    uow: UnitOfWork, entity_type: str, row: Row, as_of: datetime, pii: bool
) -> dict[str, Any]:
    version = uow.reads.golden_rows_as_of([row["id"]], as_of).get(row["id"])
    if version is None:
        raise NotFound(f"{entity_type} golden record '{row['id']}' did not exist at {iso(as_of)}")
    return _head(row, None) | {
        "version": version["version"],
        "status": version["status"],
        "updated_at": iso(version["updated_at"]),
        "as_of": iso(as_of),
        **shown(entity_type, version["attributes"], version["lineage"], pii),
        "xrefs": [
            {"source": s, "source_id": i, "record_version": v} for s, i, v in version["members"]
        ],
    }


def get_history(
    uow: UnitOfWork, *, entity_type: str, golden_id: str, limit: int = 100, pii: bool = False
) -> list[dict[str, Any]]:
    _current(uow, entity_type, golden_id)
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
        for v in uow.reads.history_rows([golden_id], limit).get(golden_id, [])
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
