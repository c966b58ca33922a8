"""The canonical model v1: closed, strict about formats, open only under extensions."""

from __future__ import annotations

import pytest

from canonical.errors import UnknownEntityType
from canonical.schemas import ENTITY_TYPES, schema_for


def errors(entity: str, record: object) -> list[tuple[str, str]]:
    return [(e.pointer, e.code) for e in schema_for(entity).errors(record)]


def test_every_entity_type_has_a_2020_12_schema_that_is_closed() -> None:
    for entity in ENTITY_TYPES:
        doc = schema_for(entity).document
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert doc["additionalProperties"] is False
        assert doc["properties"]["extensions"] == {"type": "object"}
        assert "source_updated_at" in doc["properties"]


def test_a_full_customer_is_valid() -> None:
    record = {
        "kind": "organization",
        "name": "Acme GmbH",
        "legal_form": "GmbH",
        "tax_id": "DE811907980",
        "registration_number": "HRB 1",
        "email": "ap@acme.de",
        "phone": "+49 30 123456",
        "website": "https://acme.de",
        "address": {
            "line1": "Str. 1",
            "line2": "2. OG",
            "city": "Berlin",
            "region": "BE",
            "postcode": "10117",
            "country": "DE",
        },
        "parent": "C-1",
        "segment": "smb",
        "industry": "Retail",
        "currency": "EUR",
        "payment_terms": "net30",
        "status": "active",
        "owner": "dana",
        "source_updated_at": "2026-05-01T10:00:00Z",
        "extensions": {"crm_score": 7},
    }

    assert errors("customer", record) == []


def test_a_person_needs_something_that_identifies_a_person_and_a_real_birth_date() -> None:
    assert errors("customer", {"kind": "person", "date_of_birth": "1815-12-10"}) == [
        ("/last_name", "required")
    ]
    for one in ("first_name", "last_name", "name", "email", "phone", "tax_id"):
        value = {"email": "ada@example.org", "phone": "+44 20 7946 0018"}.get(one, "Ada")
        assert errors("customer", {"kind": "person", one: value}) == []
    assert ("/date_of_birth", "format") in errors(
        "customer", {"kind": "person", "last_name": "L", "date_of_birth": "1815-13-10"}
    )


def test_formats_and_codes_are_checked() -> None:
    found = errors(
        "customer",
        {
            "kind": "organization",
            "name": "A",
            "email": "nope",
            "currency": "euro",
            "address": {"country": "DEU"},
            "source_updated_at": "yesterday",
        },
    )

    assert found == [
        ("/address/country", "pattern"),
        ("/currency", "pattern"),
        ("/email", "format"),
        ("/source_updated_at", "format"),
    ]


def test_prices_take_decimal_strings_never_floats() -> None:
    base = {"product": "P1", "price_book": "list", "currency": "USD"}

    assert errors("price", {**base, "unit_amount": "49.90"}) == []
    assert errors("price", {**base, "unit_amount": 49.9}) == [("/unit_amount", "type")]
    assert errors("price", {**base, "unit_amount": "4e1"}) == [("/unit_amount", "pattern")]


def test_product_type_is_an_enumeration() -> None:
    assert errors("product", {"sku": "S", "name": "N", "type": "forever"}) == [("/type", "enum")]


def test_unknown_entity_type_is_a_domain_error() -> None:
    with pytest.raises(UnknownEntityType, match="unknown entity type 'invoice'"):
        schema_for("invoice")
