"""Phones as people write them, read in the record's country, then the source's region,
else kept as national digits; legal forms folded into families."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from matching.engine import ProbabilisticMatcher
from matching.standardize import (
    legal_form,
    phone_e164,
    phone_key,
    phone_national,
    split_legal_form,
    standardize,
)
from matching.standardize.contact import _plain_national, library_e164


@pytest.mark.parametrize(
    ("written", "country", "expected"),
    [
        ("(415) 555-0199", "US", "+14155550199"),
        ("+1.415.555.0199", None, "+14155550199"),
        ("+1 (415) 555-0199", None, "+14155550199"),
        ("0044 20 7946 0018", None, "+442079460018"),
        ("+44 (0)20 7946 0018", None, "+442079460018"),
        ("312-555-0142", "US", "+13125550142"),
        ("1-312-555-0142", "US", "+13125550142"),
        ("(415) 555-0199 ext. 12", "US", "+14155550199"),
        ("+1 415 555 0199 x12", None, "+14155550199"),
        ("030 1234567", "DE", "+49301234567"),
    ],
)
def test_any_phone_a_person_writes_becomes_e164(
    written: str, country: str | None, expected: str
) -> None:
    assert phone_e164(written, country) == expected


def test_a_national_phone_is_read_in_the_address_country_before_the_default_region() -> None:
    assert phone_e164("030 1234567", None, "DE") == "+49301234567"
    assert phone_e164("030 1234567", "DE", "US") == "+49301234567"
    assert phone_e164("312-555-0142") is None
    assert phone_e164("not a phone", "US", "US") is None


def test_a_phone_no_region_places_keeps_its_national_digits() -> None:
    assert phone_key("312-555-0142") == "3125550142"
    assert phone_key("(312) 555-0142 ext. 7") == "3125550142"
    assert phone_key("312-555-0142", None, "US") == "+13125550142"
    assert phone_key("12") is None
    assert phone_key("call me") is None


def test_national_digits_are_shared_by_the_e164_form_and_the_unplaced_one() -> None:
    assert phone_national("+13125550142") == "3125550142"
    assert phone_national("+442079460018") == "2079460018"
    assert phone_national("+3726123456") == "6123456"  # a three-digit country code
    assert phone_national("3125550142") == "3125550142"
    assert phone_national(None) is None


def test_the_customer_phone_takes_the_address_country_then_the_default_region() -> None:
    record = {"kind": "organization", "name": "Kestrel", "phone": "312-555-0142"}
    in_germany = {**record, "phone": "030 1234567", "address": {"country": "Germany"}}

    assert standardize("customer", record)["phone"] == "3125550142"
    assert standardize("customer", record, default_region="US")["phone"] == "+13125550142"
    assert standardize("customer", in_germany, default_region="US")["phone"] == "+49301234567"
    assert standardize("customer", record, default_region="US")["phone_national"] == "3125550142"


def test_the_matcher_reads_the_record_in_the_default_region_it_is_given() -> None:
    matcher = ProbabilisticMatcher()
    record = {"kind": "organization", "name": "Kestrel Analytics", "phone": "312-555-0142"}

    assert "phone:+13125550142" in matcher.keys("customer", record, default_region="US")
    assert "phone:3125550142" in matcher.keys("customer", record)
    prepared = matcher.prepare("customer", record, default_region="US")
    assert prepared is not None and prepared["phone"] == "+13125550142"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme Corp", "Acme Corporation"),
        ("Acme Corp.", "ACME CORPORATION"),
        ("Acme Inc", "Acme Incorporated"),
        ("Acme Ltd", "Acme Limited"),
        ("Acme Co. Ltd.", "Acme Limited"),
        ("Acme GmbH", "Acme Gesellschaft mit beschränkter Haftung"),
        ("Acme GmbH", "Acme Gesellschaft mit beschraenkter Haftung"),
        ("Acme GmbH", "Acme Gesellschaft mbH"),
        ("Acme AG", "Acme Aktiengesellschaft"),
        ("Acme S.A.", "Acme SA"),
        ("Acme S.à r.l.", "Acme SARL"),
        ("Acme B.V.", "Acme Besloten Vennootschap"),
        ("Acme N.V.", "Acme NV"),
        ("Acme Oy", "Acme Oyj"),
        ("Acme AB", "Acme Aktiebolag"),
        ("Acme S.p.A.", "Acme SpA"),
        ("Acme S.r.l.", "Acme Srl"),
        ("Acme PLC", "Acme Public Limited Company"),
        ("Acme LLC", "Acme L.L.C."),
        ("Acme LLP", "Acme Limited Liability Partnership"),
        ("Acme Pty Ltd", "Acme Proprietary Limited"),
        ("Acme KK", "Acme Kabushiki Kaisha"),
    ],
)
def test_spellings_of_one_legal_form_are_one_family(one: str, other: str) -> None:
    assert split_legal_form(one)[0] == split_legal_form(other)[0] == "acme"
    assert split_legal_form(one)[1] == split_legal_form(other)[1] is not None


def test_different_families_stay_different() -> None:
    families = {
        split_legal_form(f"Acme {form}")[1] for form in ("Inc", "Corp", "Ltd", "GmbH", "AG")
    }
    assert len(families) == 5


def test_a_legal_form_given_on_its_own_is_its_family() -> None:
    assert legal_form("Corp.") == legal_form("Corporation") == "CORP"
    assert legal_form("Gesellschaft mit beschränkter Haftung") == "GMBH"
    assert legal_form("something else") is None
    as_field = standardize("customer", {"name": "Acme", "legal_form": "Corporation"})
    in_name = standardize("customer", {"name": "Acme Corp."})
    assert as_field["legal_form"] == in_name["legal_form"] == "CORP"


def test_plain_national_numbers_read_without_the_parser_read_as_the_parser_reads_them() -> None:
    rng = random.Random(11)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    answered = 0
    for _ in range(20_000):
        digits = rng.choice(["", "0", "1", "00", "01"]) + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(4, 13))
        )
        text = rng.choice([digits, f"{digits[:3]}-{digits[3:]}", f"({digits[:3]}) {digits[3:]}"])
        region = rng.choice([*regions, "US", "DE", "GB", "FR"])
        fast = _plain_national(text, region)
        if fast is not None:
            answered += 1
            assert fast == library_e164(text, region), (text, region)
    assert answered > 1_000  # the plain path is exercised, not only the fallback
