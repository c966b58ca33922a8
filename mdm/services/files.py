"""Bulk files into ingest items: CSV (flat columns) and JSON Lines, streamed.

CSV: ``source_id`` (or ``id``) names the record; ``address_line1``,
``address_line2``, ``city``, ``region``, ``postcode``, ``country`` (or
``address_*``) build the address; ``extensions.<name>`` columns go under
``extensions``; a ``source`` column is ignored; an empty cell means no value.
JSON Lines: either ``{"source_id": ..., "record": {...}}`` per line, or the
record itself with its ``source_id`` (or ``id``) inside.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from mdm.services.ingest import IngestItem

__all__ = ["count_lines", "parse_jsonl_line", "read_items"]

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


def _csv_record(row: dict[str, str]) -> IngestItem:
    sid = row.get("source_id") or row.get("id")
    record: dict[str, Any] = {}
    address: dict[str, str] = {}
    extensions: dict[str, str] = {}
    for col, raw in row.items():
        if col is None or raw is None:
            continue
        value = raw.strip()
        if not value or col in ("source_id", "id") or col in _IGNORED:
            continue
        if col in _ADDRESS:
            address[_ADDRESS[col]] = value
        elif col.startswith("extensions."):
            extensions[col.removeprefix("extensions.")] = value
        elif col == "tiers" and value.startswith("["):
            record[col] = orjson.loads(value)
        else:
            record[col] = value
    if address:
        record["address"] = address
    if extensions:
        record["extensions"] = extensions
    return IngestItem(sid, record)


def parse_jsonl_line(line: bytes, number: int) -> IngestItem:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return IngestItem(f"line-{number}", {"__malformed__": f"line {number}: {exc}"})
    if isinstance(data, dict) and "record" in data:
        return IngestItem(data.get("source_id"), data["record"])
    if isinstance(data, dict):
        data = dict(data)
        sid = data.pop("source_id", None) or data.pop("id", None)
        return IngestItem(sid, data)
    return IngestItem(None, data)


def read_items(path: Path) -> Iterator[IngestItem]:
    """Yield ingest items from a .csv or .jsonl/.ndjson file, one at a time."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                yield _csv_record(row)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        with path.open("rb") as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    yield parse_jsonl_line(line, number)
    else:
        raise ValueError(f"unsupported file type '{suffix}': use .csv or .jsonl")


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        n = sum(1 for line in fh if line.strip())
    return n - 1 if path.suffix.lower() == ".csv" else n
