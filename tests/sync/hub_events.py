"""Real outbox rows: drive the hub through every kind of golden change and read them back."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.helpers import put_ok


def make_every_change(client: TestClient) -> None:
    """Two customers created, merged, unmerged; a product and its price created and updated."""
    a = put_ok(client, "erp/customer/E1", {"kind": "organization", "name": "Acme Inc"})
    b = put_ok(client, "crm/customer/C1", {"kind": "organization", "name": "Zenith Ltd"})
    merge = client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": a["golden_id"], "merged": [b["golden_id"]], "reason": "same"},
    )
    assert merge.status_code == 200, merge.text
    unmerge = client.post(
        f"/api/v1/golden/customer/{a['golden_id']}/unmerge",
        json={"merged": b["golden_id"], "reason": "undo"},
    )
    assert unmerge.status_code == 200, unmerge.text
    put_ok(client, "cpq/product/P1", {"sku": "WID-1", "name": "Widget"})
    price = {"product": "P1", "price_book": "list", "currency": "EUR", "unit_amount": "10.00"}
    put_ok(client, "cpq/price/PR1", price)
    put_ok(client, "cpq/price/PR1", {**price, "unit_amount": "12.50"})


def outbox_rows(engine: Engine) -> list[dict[str, Any]]:
    """The outbox as the relay reads it: every column it hands the publisher, in seq order."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, event_id, event_type, subject, entity_type, golden_version,"
                " envelope, correlation_id FROM outbox ORDER BY seq"
            )
        ).mappings()
        out = [dict(r) for r in rows]
    for r in out:
        if isinstance(r["envelope"], str):
            r["envelope"] = json.loads(r["envelope"])
    return out
