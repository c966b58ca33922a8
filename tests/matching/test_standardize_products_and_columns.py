"""Product keys (sku, gtin, names without size noise, sizes, price bands, attributes) and
batch standardization column by column, equal to standardizing record by record."""

from __future__ import annotations

import random

import pytest

from matching.batch import standardize_columns as batch_columns
from matching.standardize import (
    CUSTOMER_FIELDS,
    STANDARDIZER_VERSION,
    price_band,
    product_name,
    sku,
    standardize,
    standardize_columns,
    standardize_product,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Cola Zero 6 x 330 ml", ("cola zero", "6x330ml")),
        ("Cola Zero 330ML 6-pack", ("cola zero", "6x330ml")),
        ("Olive Oil 1.5L", ("olive oil", "1500ml")),
        ("Olive Oil 1500 ml", ("olive oil", "1500ml")),
        ("Shampoo 500 ml", ("shampoo", "500ml")),
        ("Coffee Beans 12oz", ("coffee beans", "12oz")),
        ("Cookies 2 x 250g", ("cookies", "2x250g")),
        ("Flour 1 kg", ("flour", "1000g")),
        ("T-Shirt Blk XL", ("t shirt black", "xl")),
        ("Water, pack of 6", ("water", "6ct")),
        ("Batteries AA 12 ct", ("batteries aa", "12ct")),
        ("Widget Pro", ("widget pro", None)),
    ],
)
def test_a_product_name_loses_its_size_unit_and_pack_noise(
    written: str, expected: tuple[str, str | None]
) -> None:
    assert product_name(written) == expected


def test_skus_lose_case_separators_prefixes_and_leading_zeros() -> None:
    assert sku("SKU-00123-a") == sku("sku 123a") == sku("ITEM#123A") == sku("123-A") == "123A"
    assert sku("AB-12") != sku("AB-13")


def test_gtins_are_zero_padded_and_keep_a_failed_check_digit_as_not_valid() -> None:
    upc = standardize_product({"gtin": "036000291452"})
    ean = standardize_product({"gtin": "0036000291452"})
    typo = standardize_product({"gtin": "036000291453"})

    assert upc["gtin"] == ean["gtin"] == "00036000291452"
    assert upc["gtin_valid"] == "1"
    assert (typo["gtin"], typo["gtin_valid"]) == ("00036000291453", None)
    assert standardize_product({"gtin": "12345"})["gtin"] is None


def test_nearby_prices_share_a_band_and_far_ones_do_not() -> None:
    assert price_band("9.99") == price_band("10.49") == price_band("$10.00")
    assert price_band("1,299.00") == price_band("1.299,00") == price_band("1299")
    assert price_band("9.99") != price_band("19.99")
    assert price_band("0") == "0"
    assert price_band("n/a") is None
    assert price_band("-3") is None


def test_a_product_master_record_is_standardized_with_its_attributes() -> None:
    flat = standardize_product(
        {
            "sku": "SKU-0042",
            "name": "Sparkling Water 6 x 500 ml",
            "gtin": "4006381333931",
            "brand": "Aqua Pura",
            "manufacturer": "Aqua Pura Bottling GmbH",
            "supplier": "Northwind Traders Inc.",
            "category": "Beverages",
            "unit": "Each",
            "list_price": "4.99",
            "currency": "EUR",
        }
    )

    assert flat == {
        "sku": "42",
        "gtin": "04006381333931",
        "gtin_valid": "1",
        "name": "sparkling water",
        "size": "6x500ml",
        "brand": "aqua pura",
        "manufacturer": "aqua pura bottling",
        "supplier": "northwind traders",
        "family": "beverages",
        "type": None,
        "unit": "each",
        "price_band": price_band("4.99"),
    }
    assert standardize_product({"family": "Drinks", "category": "Other"})["family"] == "drinks"
    assert standardize_product({"department": "Dairy"})["family"] == "dairy"


def _customers(count: int) -> list[dict[str, object]]:
    rng = random.Random(3)
    names = ["Acme Corp", "ACME Corporation", "Globex GmbH", "Initech", "Umbrella Co. Ltd."]
    phones = ["312-555-0142", "+1 415 555 0199", "030 1234567", "(415) 555-0199", None]
    countries = ["US", "Germany", "DEU", None, "uk"]
    out: list[dict[str, object]] = []
    for i in range(count):
        record: dict[str, object] = {
            "kind": rng.choice(["organization", None]),
            "name": rng.choice([*names, None]),
            "first_name": rng.choice(["Dr. Ann", None]),
            "last_name": rng.choice(["Lee", None]),
            "legal_form": rng.choice(["Inc.", "GmbH", None]),
            "tax_id": rng.choice(["DE136695976", "136695976", None]),
            "email": rng.choice(["ap@acme.com", "x@gmail.com", None]),
            "website": rng.choice(["https://www.acme.co.uk/x", None]),
            "phone": rng.choice(phones),
            "date_of_birth": rng.choice(["1985-3-7", "07/03/1985", None]),
            "registration_number": rng.choice(["HRB 123", None]),
        }
        address = {"country": rng.choice(countries), "city": "Berlin", "postcode": f"{i:05d}"}
        record["address"] = {k: v for k, v in address.items() if v} if i % 7 else "not a mapping"
        out.append({k: v for k, v in record.items() if v is not None})
    return out


@pytest.mark.parametrize("region", [None, "US"])
def test_columns_equal_standardizing_each_record(region: str | None) -> None:
    records = _customers(2000)
    fields = [*CUSTOMER_FIELDS, "not_a_field"]

    columns = standardize_columns("customer", records, fields, default_region=region)
    rows = [standardize("customer", r, default_region=region) for r in records]

    for name in CUSTOMER_FIELDS:
        assert columns[name] == [row[name] for row in rows], name
    assert columns["not_a_field"] == [None] * len(records)


def test_columns_split_over_processes_equal_one_process() -> None:
    records = _customers(900)

    one = standardize_columns("customer", records, CUSTOMER_FIELDS, processes=1)
    split = batch_columns("customer", records, CUSTOMER_FIELDS, processes=2, chunk_size=200)

    assert split == one


def test_products_and_other_types_standardize_through_the_same_entry() -> None:
    records = [{"sku": "P-1", "name": "Cola 330 ml"}, {"sku": "P-2", "name": "Tea"}]

    columns = standardize_columns("product", records, ["sku", "size"])

    assert columns == {"sku": ["1", "2"], "size": ["330ml", None]}
    assert STANDARDIZER_VERSION == "3"


def test_product_files_that_name_columns_otherwise_are_read_too() -> None:
    flat = standardize_product(
        {"title": "Cola 330 ml", "vendor": "Northwind Inc", "price": "1.99", "make": "Cola Co"}
    )

    assert (flat["name"], flat["size"], flat["supplier"]) == ("cola", "330ml", "northwind")
    assert (flat["brand"], flat["price_band"]) == ("cola co", price_band("1.99"))
    both = standardize_product({"name": "Tea", "title": "Coffee", "list_price": "5", "price": "50"})
    assert (both["name"], both["price_band"]) == ("tea", price_band("5"))
