"""Golden products and prices for the catalog delivery tests: put them into a test hub, and
a target subscribed to them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from sync.connectors import OutboundRecord
from tests.helpers import put_ok
from tests.sync.hub import add_target

CATALOG = ["product", "price"]


def product(n: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "sku": f"SKU-{n:04d}",
        "name": f"Widget {n:04d}",
        "description": "A widget",
        "type": "one_time",
        "unit": "piece",
        "status": "active",
        **extra,
    }


def price(product_sid: str, amount: str = "19.90", **extra: Any) -> dict[str, Any]:
    return {
        "product": product_sid,
        "price_book": "standard",
        "currency": "EUR",
        "unit_amount": amount,
        "billing_period": "month",
        **extra,
    }


def put_product(client: TestClient, sid: str, body: dict[str, Any], source: str = "cpq") -> str:
    return str(put_ok(client, f"{source}/product/{sid}", body)["golden_id"])


def put_price(client: TestClient, sid: str, body: dict[str, Any], source: str = "cpq") -> str:
    return str(put_ok(client, f"{source}/price/{sid}", body)["golden_id"])


def catalog_target(client: TestClient, running: Any, **body: Any) -> str:
    return add_target(client, running, **{"entity_types": CATALOG, **body})


def outbound_catalog(
    entity_type: str,
    golden_id: str,
    attributes: dict[str, Any],
    *,
    status: str = "active",
    merged_into: str | None = None,
    target_id: str | None = None,
    attempt: int = 1,
    version: int = 1,
) -> OutboundRecord:
    """A golden product or price on its way to a connector (connector and pact tests)."""
    return OutboundRecord(
        golden_id=golden_id,
        entity_type=entity_type,
        version=version,
        status=status,  # type: ignore[arg-type]
        merged_into=merged_into,
        attributes=attributes,
        target_id=target_id,
        delivery_id=f"delivery-{golden_id}",
        attempt=attempt,
    )
