"""Reads: a golden customer's transactional events and facts; a source's webhook secrets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from canonical.errors import FieldError, InvalidInput, NotFound
from canonical.states import GoldenStatus
from canonical.timestamps import iso
from canonical.transactional import facts_from_groups
from canonical.transactional.facts import group_of
from mdm.db.read import Row
from mdm.db.read.rows import survivor_id
from mdm.db.uow import UnitOfWork
from mdm.domain.secrets import Sealer
from mdm.queries import cursors

__all__ = [
    "customer_facts",
    "customer_transactions",
    "event_view",
    "facts_of_groups",
    "webhook_secrets",
]


def event_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """One stored event as the API shows it (``outcome``: applied or stale)."""
    payload = row["payload"]
    return {
        "id": row["event_id"],
        "source": row["source"],
        "type": row["event_type"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "occurred_at": iso(row["occurred_at"]),
        "received_at": iso(row["received_at"]),
        "outcome": row["outcome"],
        "version": row["version"],
        "origin": row["origin"],
        "customer": payload.get("customer"),
        "data": payload.get("data"),
    }


def facts_of_groups(groups: list[Row]) -> dict[str, Any]:
    return facts_from_groups(group_of(g) for g in groups)


def _customer(uow: UnitOfWork, golden_id: str) -> tuple[str, str | None]:
    """The golden customer ``golden_id`` stands for now, and the merged-away id asked for."""
    rows = uow.reads.merge_chain_rows(golden_id)
    row = rows.get(golden_id)
    if row is None or row["entity_type"] != "customer":
        raise NotFound(f"no customer golden record '{golden_id}'")
    if row["status"] == GoldenStatus.MERGED:
        return survivor_id(rows, golden_id), golden_id
    return golden_id, None


def customer_facts(uow: UnitOfWork, golden_id: str, *, today: date | None = None) -> dict[str, Any]:
    gid, resolved_from = _customer(uow, golden_id)
    groups = uow.reads.fact_groups([gid], today or uow.clock.now().date()).get(gid, [])
    return {"golden_id": gid, "resolved_from": resolved_from, **facts_of_groups(groups)}


def _cursor(text: str | None) -> tuple[datetime, int] | None:
    if not text:
        return None
    found = cursors.decode_at(text, "transactions")
    if found is None or not (found[1].isascii() and found[1].isdigit()):
        raise InvalidInput(
            "the cursor is not one this API gave", [FieldError("/cursor", "unknown cursor")]
        )
    return found[0], int(found[1])


def _next_cursor(row: Mapping[str, Any]) -> str:
    return cursors.encode_at("transactions", row["occurred_at"], row["id"])


def customer_transactions(
    uow: UnitOfWork,
    golden_id: str,
    *,
    filters: Mapping[str, Any],
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """A page of the customer's events, newest first; ``next_cursor`` continues it."""
    gid, resolved_from = _customer(uow, golden_id)
    rows = uow.reads.transaction_page(gid, filters, before=_cursor(cursor), limit=limit + 1)
    page = rows[:limit]
    return {
        "golden_id": gid,
        "resolved_from": resolved_from,
        "items": [event_view(r) for r in page],
        "next_cursor": _next_cursor(page[-1]) if len(rows) > limit else None,
    }


def webhook_secrets(
    uow: UnitOfWork, source: str, sealer: Sealer, *, now: datetime
) -> tuple[str, list[str]] | None:
    """``(scheme, secrets)`` a webhook of ``source`` may be signed with (the current one,
    and the one it replaced while its grace lasts); None when none is set."""
    row = uow.webhooks.get(source)
    if row is None:
        return None
    secrets = [sealer.open(row["secret"])["secret"]]
    if row["previous_secret"] and row["previous_until"] and row["previous_until"] > now:
        secrets.append(sealer.open(row["previous_secret"])["secret"])
    return row["scheme"], secrets
