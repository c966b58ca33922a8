"""Reads of source records: the current version as the newest registered schema sees it."""

from __future__ import annotations

from typing import Any

from canonical.errors import NotFound
from canonical.privacy import mask_payload
from canonical.registry import schema_label
from canonical.timestamps import iso
from mdm.db.uow import UnitOfWork
from mdm.domain.schemas import upcaster

__all__ = ["get_source_record"]


def get_source_record(
    uow: UnitOfWork, *, source: str, entity_type: str, source_id: str, pii: bool
) -> dict[str, Any]:
    """``schema_version`` is the version the record was validated with and stays so;
    ``payload`` is upcast to ``read_as``, the newest registered version. Without ``pii``
    a person's personal attributes read as masked and ``masked`` names them."""
    reader = upcaster(uow, entity_type)
    rec = uow.records.by_source_ids(source, entity_type, [source_id]).get(source_id)
    if rec is None:
        raise NotFound(f"no {entity_type} record '{source_id}' from source '{source}'")
    payload, masked = mask_payload(
        entity_type, reader.read(rec["payload"], rec["schema_version"]), pii
    )
    out = {
        "source": source,
        "entity_type": entity_type,
        "source_id": source_id,
        "golden_id": rec["golden_id"],
        "version": rec["version"],
        "schema_version": rec["schema_version"],
        "read_as": schema_label(entity_type, reader.latest),
        "payload": payload,
        "source_updated_at": iso(rec["source_updated_at"]),
        "received_at": iso(rec["received_at"]),
    }
    if masked:
        out["masked"] = masked
    return out
