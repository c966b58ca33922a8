"""Flat rows (a CSV file's columns) to canonical records, by one set of rules.

The id column names the record and is not part of it: the first of ``source_id``, ``id``,
``record_id`` and ``rec_id`` the header has (:func:`id_column`); ``address_line1``,
``address_line2``, ``city``, ``region``, ``postcode``, ``country`` (each also as
``address_<part>``, and ``line1``/``line2``) build the nested address;
``extensions.<name>`` columns go under ``extensions`` (their names kept as written); a
JSON array in ``tiers`` is decoded; bookkeeping columns (``source``, ``cluster_id``,
``entity_id``) are ignored; an empty cell means no value. Other headers are matched
case-insensitively, with spaces and hyphens read as underscores, and the names files
usually carry are understood (a canonical column wins over its alias when a row has
both):

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


Both ``mdm load`` and ``mdm dedupe`` read files through one reader (:mod:`mdm.domain.files`),
which uses :func:`id_column` and :func:`record_from_flat`, so a file means the same to both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "ALIASES",
    "ID_COLUMNS",
    "flat_columns",
    "id_column",
    "record_from_flat",
    "records_from_rows",
]

ID_COLUMNS = ("source_id", "id", "record_id", "rec_id")
"""Headers (or JSON keys) that name a record's id, in order of preference."""
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

_ADDRESS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "line1": "line1",
    "line2": "line2",
    "city": "city",
    "address_city": "city",
    "region": "region",
    "address_region": "region",
    "postcode": "postcode",
    "address_postcode": "postcode",
    "country": "country",
    "address_country": "country",
}
_IGNORED = {"source", "cluster_id", "entity_id", *ID_COLUMNS}


def id_column(header: Sequence[str]) -> int | None:
    """Where the id is among ``header``'s columns (the first of :data:`ID_COLUMNS` it has,
    case, spaces and hyphens aside), None without one."""
    names = [_column(h.lstrip("\ufeff")) for h in header]
    for wanted in ID_COLUMNS:
        if wanted in names:
            return names.index(wanted)
    return None


def _column(header: str) -> str:
    if header.startswith("extensions."):
        return header
    return header.strip().lower().replace(" ", "_").replace("-", "_")


@lru_cache(maxsize=4096)
def _role(header: str) -> tuple[str | None, bool]:
    """(canonical column or None when ignored, whether it is an alias): once per header."""
    column = _column(header)
    if column in _IGNORED:
        return None, False
    if column in ALIASES and column not in _ADDRESS:
        return ALIASES[column], True
    return column, False


def _columns(row: Mapping[Any, Any]) -> dict[str, str]:
    """Non-empty cells under canonical column names (aliases resolved, ids dropped)."""
    values: dict[str, str] = {}
    aliased: dict[str, str] = {}
    for header, raw in row.items():
        if header is None or raw is None:
            continue
        column, alias = _role(str(header))
        if column is None:
            continue
        value = raw.strip() if isinstance(raw, str) else str(raw).strip()
        if not value:
            continue
        if alias:
            aliased.setdefault(column, value)
        else:
            values[column] = value
    for column, value in aliased.items():
        values.setdefault(column, value)
    number = values.pop("street_number", None)
    if number:
        values["address_line1"] = f"{number} {values.get('address_line1', '')}".strip()
    return values


def record_from_flat(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The canonical record a flat row describes (without its id)."""
    record: dict[str, Any] = {}
    address: dict[str, str] = {}
    extensions: dict[str, str] = {}
    for col, value in _columns(row).items():
        if col in _ADDRESS:
            address.setdefault(_ADDRESS[col], value)
        elif col.startswith("extensions."):
            extensions[col.removeprefix("extensions.")] = value
        elif col == "tiers" and value.startswith("["):
            record[col] = json.loads(value)
        else:
            record[col] = value
    if address:
        record["address"] = address
    if extensions:
        record["extensions"] = extensions
    return record


def flat_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, list[Any]]:
    """:func:`record_from_flat` of every row, as columns keyed by path (``name``,
    ``address.city``, ``extensions.tier``); ``None`` where a row has no value.

    When every header names its own path (the usual file) the rows are read column by
    column, which costs a fraction of building a dict per row; otherwise (two headers for
    one path, a ``street_number`` column) row by row, by the very same rules.
    """
    rows = _padded(len(header), rows)
    plan = _plan(tuple(header))
    if plan is None:
        return _record_columns(records_from_rows(header, rows))
    cells = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    columns: dict[str, list[Any]] = {}
    for index, path in plan:
        values: list[Any] = [v.strip() or None for v in cells[index]]
        if path == "tiers":
            values = [json.loads(v) if v and v.startswith("[") else v for v in values]
        columns[path] = values
    return columns


def records_from_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[dict[str, Any]]:
    """:func:`record_from_flat` of each row, read as :class:`csv.DictReader` reads it (a
    short row's missing cells are empty, a long row's extra cells are ignored)."""
    return [
        record_from_flat(dict(zip(header, row, strict=True))) for row in _padded(len(header), rows)
    ]


def _padded(width: int, rows: Sequence[Sequence[str]]) -> Sequence[Sequence[str]]:
    if all(len(row) == width for row in rows):
        return rows
    return [(list(row) + [""] * width)[:width] for row in rows]


@lru_cache(maxsize=256)
def _plan(header: tuple[str, ...]) -> tuple[tuple[int, str], ...] | None:
    """(cell index, path) per header that feeds a record, or None when rows need row rules."""
    plan: list[tuple[int, str]] = []
    for index, name in enumerate(header):
        column, _alias = _role(name)
        if column is None:
            continue
        if column == "street_number":
            return None
        path = f"address.{_ADDRESS[column]}" if column in _ADDRESS else column
        plan.append((index, path))
    paths = [path for _, path in plan]
    return tuple(plan) if len(set(paths)) == len(paths) else None


def _record_columns(records: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {}
    for row, record in enumerate(records):
        for key, value in record.items():
            nested = value.items() if key in ("address", "extensions") else ((None, value),)
            for part, item in nested:
                path = key if part is None else f"{key}.{part}"
                columns.setdefault(path, [None] * len(records))[row] = item
    return columns
