"""Flat CSV rows to canonical records, with the column names files usually carry.

``mdm dedupe`` reads one record per row. Canonical columns are ``id``,
``source`` (both ignored here), ``kind``, ``name``, ``first_name``,
``last_name``, ``legal_form``, ``date_of_birth``, ``tax_id``,
``registration_number``, ``email``, ``phone``, ``website``, the address as
``address_line1``, ``address_line2``, ``city``, ``region``, ``postcode``,
``country``, and for products ``sku``, ``gtin``, ``name``, ``family``,
``type``, ``unit``, ``brand``, ``manufacturer``, ``supplier``, ``list_price``.

Headers are matched case-insensitively, with spaces and hyphens read as
underscores, and these aliases are understood (a canonical column wins over
its alias when a file has both):

- given_name, firstname, forename -> first_name; surname, family_name,
  lastname -> last_name; company, company_name, organization, organisation,
  account_name, full_name -> name
- dob, birth_date, birthdate -> date_of_birth; soc_sec_id, ssn, national_id,
  vat, vat_id, vat_number, ein, tin -> tax_id; company_number ->
  registration_number
- email_address, e_mail -> email; phone_number, telephone, tel, mobile ->
  phone; url, homepage, web -> website
- street, street_address, address, address_1, address1, line1 ->
  address_line1; address_2, address2, line2 -> address_line2; suburb, town,
  locality -> city; state, province, county -> region; zip, zipcode,
  zip_code, postal_code, post_code -> postcode; country_code -> country;
  a ``street_number`` column is put in front of the street line
- category, department, product_category -> family; price, unit_price ->
  list_price; product_code, item_number, part_number -> sku; ean, upc,
  barcode -> gtin; vendor -> supplier; maker -> manufacturer

Other columns pass through under their own (normalized) name; empty cells are
null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ALIASES", "record_from_flat"]

_GROUPS = {
    "first_name": "given_name firstname forename",
    "last_name": "surname family_name lastname",
    "name": "company company_name organization organisation account_name full_name",
    "date_of_birth": "dob birth_date birthdate",
    "tax_id": "soc_sec_id ssn national_id vat vat_id vat_number ein tin",
    "registration_number": "company_number",
    "email": "email_address e_mail",
    "phone": "phone_number telephone tel mobile",
    "website": "url homepage web",
    "address_line1": "street street_address address address_1 address1 line1",
    "address_line2": "address_2 address2 line2",
    "city": "suburb town locality",
    "region": "state province county",
    "postcode": "zip zipcode zip_code postal_code post_code",
    "country": "country_code",
    "family": "category department product_category",
    "list_price": "price unit_price",
    "sku": "product_code item_number part_number",
    "gtin": "ean upc barcode",
    "supplier": "vendor",
    "manufacturer": "maker",
}
ALIASES: dict[str, str] = {
    alias: canonical for canonical, names in _GROUPS.items() for alias in names.split()
}
"""Alias column name -> canonical column name."""

_ADDRESS_COLUMNS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "city": "city",
    "region": "region",
    "postcode": "postcode",
    "country": "country",
}


def _column(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def record_from_flat(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Canonical record from a flat CSV row: aliases resolved, address columns nested."""
    values: dict[str, str] = {}
    aliased: dict[str, str] = {}
    for header, value in row.items():
        if header is None or value is None or not str(value).strip():
            continue
        column = _column(header)
        if column in ("id", "source"):
            continue
        if column in ALIASES:
            aliased.setdefault(ALIASES[column], value)
        else:
            values[column] = value
    for column, value in aliased.items():
        values.setdefault(column, value)
    number = values.pop("street_number", None)
    if number:
        values["address_line1"] = f"{number} {values.get('address_line1', '')}".strip()
    record: dict[str, Any] = {}
    address: dict[str, str] = {}
    for column, value in values.items():
        if column in _ADDRESS_COLUMNS:
            address[_ADDRESS_COLUMNS[column]] = value
        else:
            record[column] = value
    if address:
        record["address"] = address
    return record
