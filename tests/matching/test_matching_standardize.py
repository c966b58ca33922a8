"""Standardizers: each turns one kind of raw value into its comparable form."""

from __future__ import annotations

from matching.standardize import (
    country_iso2,
    email,
    fold,
    gtin,
    organization_domain,
    person_name,
    phone_e164,
    postcode,
    registrable_domain,
    sku,
    split_legal_form,
    standardize_customer,
    standardize_product,
    street,
    tax_id,
)


def test_fold_transliterates_and_drops_punctuation() -> None:
    assert fold("Ворлан & Söhne, S.A.") == "vorlan and sohne sa"
    assert fold("  ") is None


def test_legal_forms_are_stripped_and_returned_as_codes() -> None:
    assert split_legal_form("ACME, Inc.") == ("acme", "INC")
    assert split_legal_form("Acme Incorporated") == ("acme", "INC")
    assert split_legal_form("Acme GmbH & Co. KG") == ("acme", "GMBH CO KG")
    assert split_legal_form("Acme Co. Ltd.") == ("acme", "LTD")
    assert split_legal_form("Société Générale S.A.") == ("societe generale", "SA")
    assert split_legal_form("The Vorlan Intl Pty Ltd") == ("vorlan international", "PTY LTD")
    assert split_legal_form("Tech B.V.") == ("technologies", "BV")
    assert split_legal_form("Ворлан \u041e\u041e\u041e") == ("vorlan", "OOO")


def test_a_lone_legal_form_word_is_kept_as_the_name() -> None:
    assert split_legal_form("Limited") == ("limited", None)


def test_phone_numbers_become_e164_using_the_country() -> None:
    assert phone_e164("(415) 555-0100", "US") == "+14155550100"
    assert phone_e164("+49 30 1234567") == "+49301234567"
    assert phone_e164("030 1234567", "DE") == "+49301234567"
    assert phone_e164("not a phone", "US") is None


def test_email_and_domains() -> None:
    assert email(" <Jane.Doe@Acme.COM> ") == "jane.doe@acme.com"
    assert email("jane@") is None
    assert registrable_domain("https://www.shop.acme.co.uk/contact?x=1") == "acme.co.uk"
    assert registrable_domain("ACME.com:8080") == "acme.com"
    assert registrable_domain("localhost") is None


def test_free_mail_domains_are_never_organization_identifiers() -> None:
    assert organization_domain(None, "ceo@gmail.com") is None
    assert organization_domain("gmail.com", "ceo@acme.de") == "acme.de"
    assert organization_domain("https://www.acme.io/", "ceo@gmail.com") == "acme.io"


def test_countries_from_codes_and_names() -> None:
    assert [country_iso2(v) for v in ("DEU", "Germany", "Deutschland", "USA", "uk", "fr")] == [
        "DE",
        "DE",
        "DE",
        "US",
        "GB",
        "FR",
    ]
    assert country_iso2("Atlantis") is None


def test_tax_ids_are_validated_per_country_and_lose_their_vat_prefix() -> None:
    assert tax_id("DE 136 695 976", "DE") == ("136695976", True)
    assert tax_id("DE136695976", None) == ("136695976", True)
    assert tax_id("136695976", "DE") == ("136695976", True)
    assert tax_id("DE136695977", "DE") == ("136695977", False)
    assert tax_id("12-3456789", "US") == ("123456789", True)
    assert tax_id(None, "US") == (None, False)


def test_postcodes_streets_and_person_names() -> None:
    assert postcode("94105-1234", "US") == "94105"
    assert postcode("sw1a 1aa", "GB") == "SW1A1AA"
    assert street("123 Main Street, Suite 4") == "123 main st ste 4"
    assert person_name("Dr. Anna-Maria  Müller") == "anna maria muller"


def test_skus_and_gtins() -> None:
    assert sku("SKU-00123-a") == "123A"
    assert sku("sku 123a") == "123A"
    assert gtin("4006381333931") == "04006381333931"
    assert gtin("4006381333932") is None


def test_a_customer_is_standardized_into_one_flat_dict() -> None:
    record = {
        "kind": "organization",
        "name": "ACME Intl GmbH",
        "tax_id": "DE136695976",
        "email": "info@acme.de",
        "phone": "030 1234567",
        "website": "https://www.acme.de",
        "address": {
            "line1": "Hauptstraße 1",
            "city": "Berlin",
            "postcode": "10115",
            "country": "Germany",
        },
    }

    flat = standardize_customer(record)

    assert flat == {
        "kind": "organization",
        "name": "acme international",
        "legal_form": "GMBH",
        "first_name": None,
        "last_name": None,
        "suffix": None,
        "tax_id": "136695976",
        "tax_id_valid": "1",
        "registration_number": None,
        "email": "info@acme.de",
        "domain": "acme.de",
        "phone": "+49301234567",
        "phone_national": "301234567",
        "line1": "hauptstrasse 1",
        "city": "berlin",
        "postcode": "10115",
        "country": "DE",
        "date_of_birth": None,
    }


def test_a_person_customer_takes_its_name_from_first_and_last_name() -> None:
    flat = standardize_customer(
        {
            "kind": "person",
            "first_name": "Mr. John",
            "last_name": "Smith",
            "date_of_birth": "1980-02-03",
        }
    )

    assert (flat["name"], flat["first_name"], flat["date_of_birth"]) == (
        "john smith",
        "john",
        "19800203",
    )


def test_a_product_is_standardized() -> None:
    flat = standardize_product({"sku": "PRD-0042", "name": "Pro Svcs Bundle", "unit": "Seat"})

    assert flat == {
        "sku": "42",
        "gtin": None,
        "gtin_valid": None,
        "name": "pro services bundle",
        "size": None,
        "brand": None,
        "manufacturer": None,
        "supplier": None,
        "family": None,
        "type": None,
        "unit": "seat",
        "price_band": None,
    }
