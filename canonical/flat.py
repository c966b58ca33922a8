"""Flat rows (a CSV file's columns) to canonical records, by one set of rules.

``source_id`` (or ``id``) names the record and is not part of it; ``address_line1``,
``address_line2``, ``city``, ``region``, ``postcode``, ``country`` (each also as
``address_<part>``, and ``line1``/``line2``) build the nested address;
``extensions.<name>`` columns go under ``extensions``; a JSON array in ``tiers``
is decoded; bookkeeping columns (``source``, ``cluster_id``, ``entity_id``) are
ignored; an empty cell means no value. Both ``mdm load`` and ``mdm dedupe`` read
CSV through :func:`record_from_flat`, so a file means the same to both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["ID_COLUMNS", "record_from_flat", "source_id_of"]

ID_COLUMNS = ("source_id", "id")
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
_IGNORED = {"source", "cluster_id", "entity_id"}


def source_id_of(row: Mapping[str, str | None]) -> str | None:
    for column in ID_COLUMNS:
        value = (row.get(column) or "").strip()
        if value:
            return value
    return None


def record_from_flat(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The canonical record a flat row describes (without its id)."""
    record: dict[str, Any] = {}
    address: dict[str, str] = {}
    extensions: dict[str, str] = {}
    for col, raw in row.items():
        if col is None or raw is None:
            continue
        value = raw.strip()
        if not value or col in ID_COLUMNS or col in _IGNORED:
            continue
        if col in _ADDRESS:
            address[_ADDRESS[col]] = value
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
