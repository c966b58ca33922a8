"""Building OutboundRecords for connector tests."""

from __future__ import annotations

from typing import Any

from sync.connectors import OutboundRecord

ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "email": "info@acme.example",
    "phone": "+49 30 1234567",
    "website": "https://www.acme.example",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}
ANN = {"kind": "person", "first_name": "Ann", "last_name": "Lee", "email": "ann@gmail.com"}


def outbound(
    golden_id: str,
    attributes: dict[str, Any] | None = None,
    *,
    version: int = 1,
    status: str = "active",
    merged_into: str | None = None,
    target_id: str | None = None,
    attempt: int = 1,
    correlation_id: str | None = None,
) -> OutboundRecord:
    return OutboundRecord(
        golden_id=golden_id,
        entity_type="customer",
        version=version,
        status=status,  # type: ignore[arg-type]
        merged_into=merged_into,
        attributes=attributes if attributes is not None else ACME,
        target_id=target_id,
        delivery_id=f"delivery-{golden_id}",
        attempt=attempt,
        correlation_id=correlation_id,
    )
