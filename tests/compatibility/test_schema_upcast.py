"""Upcast on read: a stored payload as the newest schema version sees it."""

from __future__ import annotations

import copy
import re

import jsonschema_rs
import pytest

from canonical.compatibility import Mode, check, upcast, upcast_between
from tests.compatibility.schema_edits import canonical, edited

ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "address": {"city": "Berlin", "country": "DE"},
}
V1 = canonical("customer")
V2 = edited(
    V1, [("add", "/properties/tier", {"enum": ["gold", "standard"], "default": "standard"})]
)
V3 = edited(
    V2,
    [
        ("add", "/properties/nickname", {"type": "string"}),
        ("add", "/$defs/address/properties/geocoded", {"type": "boolean", "default": False}),
    ],
)
CHAIN = [V1, V2, V3]


def test_an_additive_change_without_defaults_reads_the_payload_unchanged() -> None:
    plain = edited(V1, [("add", "/properties/nickname", {"type": "string"})])

    seen = upcast(ACME, version=1, chain=[V1, plain])

    assert seen == ACME
    assert seen is not ACME


def test_a_property_the_writer_did_not_know_reads_as_its_declared_default() -> None:
    seen = upcast(ACME, version=1, chain=CHAIN)

    assert seen == {
        **ACME,
        "tier": "standard",
        "address": {"city": "Berlin", "country": "DE", "geocoded": False},
    }


def test_a_property_the_writer_knew_and_left_out_stays_absent() -> None:
    seen = upcast(ACME, version=2, chain=CHAIN)

    assert "tier" not in seen
    assert seen["address"]["geocoded"] is False


def test_the_newest_version_reads_its_own_payloads_unchanged() -> None:
    payload = {**ACME, "tier": "gold"}

    assert upcast(payload, version=3, chain=CHAIN) == payload


def test_values_present_are_kept_and_nested_objects_only_filled_where_present() -> None:
    payload = {"kind": "person", "last_name": "Lovelace", "tier": "gold"}

    assert upcast(payload, version=1, chain=CHAIN) == payload


def test_upcasting_never_modifies_the_stored_payload() -> None:
    stored = copy.deepcopy(ACME)

    upcast(stored, version=1, chain=CHAIN)

    assert stored == ACME


def test_array_items_get_defaults_too() -> None:
    price_v1 = canonical("price")
    price_v2 = edited(
        price_v1,
        [
            (
                "add",
                "/properties/tiers/items/properties/mode",
                {"enum": ["graduated"], "default": "graduated"},
            )
        ],
    )
    payload = {
        "product": "P-1",
        "price_book": "list",
        "currency": "EUR",
        "unit_amount": "10",
        "tiers": [{"up_to": 10, "unit_amount": "9"}, {"up_to": None, "unit_amount": "8"}],
    }

    seen = upcast_between(payload, writer=price_v1, reader=price_v2)

    assert [t["mode"] for t in seen["tiers"]] == ["graduated", "graduated"]


def test_a_required_property_with_a_default_is_refused_although_upcasting_would_fill_it() -> None:
    v2 = edited(
        V1,
        [
            ("add", "/properties/tier", {"enum": ["gold", "standard"], "default": "standard"}),
            ("add", "/required/-", "tier"),
        ],
    )
    validator = jsonschema_rs.validator_for(v2, validate_formats=True)

    assert validator.is_valid(upcast(ACME, version=1, chain=[V1, v2]))
    # a source still sending v1 records is validated as it sends them, not upcast
    assert not validator.is_valid(ACME)
    assert [i.rule for i in check([V1], v2, Mode.BACKWARD)] == ["required_property_added"]


def test_a_version_outside_the_chain_is_an_error() -> None:
    with pytest.raises(ValueError, match=re.escape("version 4 is not in the chain 1..3")):
        upcast(ACME, version=4, chain=CHAIN)
    with pytest.raises(ValueError, match=re.escape("version 1 is not in the chain 2..4")):
        upcast(ACME, version=1, chain=CHAIN, first_version=2)
