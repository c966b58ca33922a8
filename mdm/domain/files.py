"""Bulk files into ingest items: CSV (flat columns, see :mod:`canonical.flat`) and JSON
Lines, streamed.

JSON Lines: either ``{"source_id": ..., "record": {...}}`` per line, or the
record itself with its ``source_id`` (or ``id``) inside.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import orjson

from canonical.commands import IngestItem
from canonical.flat import record_from_flat, source_id_of
from mdm.db.storable import loads_exact

__all__ = ["count_lines", "parse_jsonl_line", "read_items"]


def _csv_record(row: dict[str, str]) -> IngestItem:
    return IngestItem(source_id_of(row), record_from_flat(row))


def parse_jsonl_line(line: bytes, number: int) -> IngestItem:
    try:
        data = loads_exact(line)
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
