"""Reads for operators: sources, quarantine, the event feed and API keys (the audit log:
:mod:`mdm.queries.audit`; the match settings: :mod:`mdm.queries.match_settings`)."""

from __future__ import annotations

from typing import Any

from canonical.errors import NotFound
from canonical.privacy import mask_attributes, mask_payload
from canonical.timestamps import iso
from mdm.db.uow import UnitOfWork
from mdm.domain.principal import Principal, expand_roles, hash_key

__all__ = [
    "count_admin_keys",
    "event_feed",
    "find_key",
    "find_principal",
    "get_quarantined",
    "list_keys",
    "list_quarantine",
    "list_sources",
]


def list_sources(uow: UnitOfWork) -> list[dict[str, Any]]:
    return [
        {
            "name": r["name"],
            "description": r["description"],
            "default_region": r.get("default_region"),
            "validation": r.get("validation") or "lenient",
        }
        for r in uow.sources.all()
    ]


def list_keys(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every key without its secret (only a prefix of it, to recognise a key by)."""
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "prefix": r["prefix"],
            "roles": r["roles"],
            "created_at": iso(r["created_at"]),
            "last_used_at": iso(r["last_used_at"]),
            "revoked_at": iso(r["revoked_at"]),
            "expires_at": iso(r["expires_at"]),
            "rotated_to": r["rotated_to"],
        }
        for r in uow.api_keys.all()
    ]


def _quarantine_view(row: Any, pii: bool) -> dict[str, Any]:
    """An entry as a caller sees it; ``masked`` names the payload's attributes shown as
    ``"***"`` (a corrected record must then be written by someone who may see them)."""
    payload, masked = row["payload"], list[str]()
    if isinstance(payload, dict):
        payload, masked = mask_payload(row["entity_type"], payload, pii)
    return {
        "id": row["id"],
        "source": row["source"],
        "entity_type": row["entity_type"],
        "source_id": row["source_id"],
        "payload": payload,
        "masked": masked,
        "errors": row["errors"],
        "status": row["status"],
        "correlation_id": row["correlation_id"],
        "received_at": iso(row["received_at"]),
        "count": row["count"],
        "last_received_at": iso(row["last_received_at"] or row["received_at"]),
        "resolved_at": iso(row["resolved_at"]),
        "resolution": row["resolution"],
        "resolved_by": row["resolved_by"],
    }


def list_quarantine(
    uow: UnitOfWork,
    *,
    source: str | None = None,
    entity_type: str | None = None,
    status: str | None = "open",
    limit: int = 100,
    offset: int = 0,
    pii: bool = False,
) -> dict[str, Any]:
    total, rows = uow.quarantine.page(
        source=source, entity_type=entity_type, status=status, limit=limit, offset=offset
    )
    return {"total": total, "items": [_quarantine_view(r, pii) for r in rows]}


def get_quarantined(uow: UnitOfWork, quarantine_id: str, *, pii: bool = False) -> dict[str, Any]:
    row = uow.quarantine.get(quarantine_id)
    if row is None:
        raise NotFound(f"no quarantined payload '{quarantine_id}'")
    return _quarantine_view(row, pii)


def masked_envelope(envelope: dict[str, Any], pii: bool) -> dict[str, Any]:
    """A CloudEvents envelope with the record's personal data masked unless ``pii``."""
    data = envelope.get("data")
    if pii or not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        return envelope
    attrs, masked = mask_attributes(str(data.get("entity_type")), data["attributes"], pii)
    if not masked:
        return envelope
    return {**envelope, "data": {**data, "attributes": attrs}}


def event_feed(uow: UnitOfWork, *, after: int, limit: int, pii: bool = False) -> dict[str, Any]:
    """The outbox in commit order after sequence number ``after`` (personal data masked
    unless ``pii``)."""
    items = [
        {"sequence": s, "event": masked_envelope(env, pii)}
        for s, env in uow.outbox.feed(after, limit)
    ]
    return {"events": items, "last": items[-1]["sequence"] if items else after}


def find_key(uow: UnitOfWork, key_hash: str) -> dict[str, Any] | None:
    """The active key with this hash (not revoked, not expired after a rotation)."""
    row = uow.api_keys.by_hash(key_hash)
    if row is None or (row["expires_at"] is not None and row["expires_at"] <= uow.clock.now()):
        return None
    return row


def find_principal(uow: UnitOfWork, secret: str) -> Principal | None:
    row = find_key(uow, hash_key(secret))
    if row is None:
        return None
    return Principal(row["id"], row["name"], expand_roles(row["roles"]))


def count_admin_keys(uow: UnitOfWork) -> int:
    return sum(1 for roles in uow.api_keys.active_roles() if "admin" in roles)
