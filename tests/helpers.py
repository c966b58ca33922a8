"""Small helpers for tests: counting rows to prove what was (not) written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

STATE_TABLES = (
    "source_record",
    "source_record_version",
    "golden_record",
    "golden_version",
    "match_key",
    "match_decision",
    "steward_task",
    "outbox",
)


def counts(engine: Engine, tables: tuple[str, ...] = STATE_TABLES) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


def outbox(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT envelope FROM outbox ORDER BY seq")).all()
    import json

    return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]


ACME_CRM = {
    "kind": "organization",
    "name": "Acme Corporation",
    "tax_id": "US-12-3456789",
    "email": "ap@acme.example",
    "owner": "dana@hub.example",
    "segment": "enterprise",
    "address": {"city": "San Francisco", "country": "US"},
}
ACME_ERP = {
    "kind": "organization",
    "name": "ACME Corporation Inc.",
    "tax_id": "US123456789",
    "payment_terms": "net30",
    "segment": "large",
    "address": {
        "line1": "1 Market St",
        "city": "San Francisco",
        "postcode": "94105",
        "country": "US",
    },
}


def put_ok(client: Any, path: str, body: dict) -> dict:
    """PUT one source record and return the accepted result (fails the test otherwise)."""
    r = client.put(f"/api/v1/sources/{path}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def strict(client: Any, source: str = "crm") -> None:
    """Set ``source`` to strict validation: a malformed optional value refuses the record
    (the default, lenient, takes the record in without it)."""
    response = client.patch(f"/api/v1/sources/{source}", json={"validation": "strict"})
    assert response.status_code == 200, response.text
