"""The one reader of record files: every command that reads records reads them here.

``mdm load``, ``mdm load --initial`` and ``mdm dedupe`` (and the Spark engine's executors,
for the rows Spark hands them) take a file by the same rules, so a file means the same
to all of them:

- CSV (``.csv``): flat columns (:mod:`canonical.flat`); the id column is the first of
  ``source_id``, ``id``, ``record_id``, ``rec_id`` the header has (case, spaces and
  hyphens aside), and a header without one is refused; blank lines are skipped, a short
  row lacks its missing cells, a long row's extra cells are ignored.
- JSON Lines (``.jsonl``, ``.ndjson``, ``.json``): ``{"source_id": ..., "record": {...}}``
  per line, or the record itself with its id under one of those names inside.
- Encoding: UTF-8 (with or without a byte-order mark); a file that is not is read as
  Windows-1252, the spreadsheet export it most often is, and ``warn`` says so.
- Errors name the file and the line (:class:`InputError`, a :class:`ValueError`).

CSV is read in chunks of rows (lists of cells), not a dict per row: ``mdm dedupe`` and
``mdm load --initial`` read a million rows, and the dict is built only where a record is.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from canonical.commands import IngestItem
from canonical.flat import ID_COLUMNS, id_column, record_from_flat

__all__ = [
    "CHUNK_ROWS",
    "FALLBACK_ENCODING",
    "JSONL_SUFFIXES",
    "CsvFile",
    "InputError",
    "count_lines",
    "csv_file",
    "file_encoding",
    "parse_jsonl_line",
    "read_items",
    "read_jsonl",
    "row_id",
]

CHUNK_ROWS = 20_000
"""Rows per chunk: big enough that handing a chunk on costs little next to reading it."""

FALLBACK_ENCODING = "cp1252"
"""What a file that is not UTF-8 is read as: the spreadsheet export it most often is."""

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_BLOCK = 1 << 20

Warn = Callable[[str], None]


class InputError(ValueError):
    """The file cannot be read as records (the message names the file and the line)."""


def file_encoding(path: Path, warn: Warn | None = None) -> str:
    """``utf-8-sig`` when the whole file is UTF-8, else :data:`FALLBACK_ENCODING` (and
    ``warn`` says why); :class:`InputError` naming the line when it is neither.

    Checked before reading, at a few hundred MB/s, so a reader never has to start again
    halfway (``mdm load`` has written chunks by then)."""
    failure = _undecodable(path, "utf-8")
    if failure is None:
        return "utf-8-sig"
    offset, reason = failure
    if _undecodable(path, FALLBACK_ENCODING) is not None:
        raise InputError(
            f"{path}: line {_line_at(path, offset)}: neither UTF-8 nor Windows-1252 ({reason})"
        )
    if warn is not None:
        warn(
            f"{path} is not UTF-8 (line {_line_at(path, offset)}, byte {offset}: {reason}); "
            f"reading it as {FALLBACK_ENCODING}"
        )
    return FALLBACK_ENCODING


def _undecodable(path: Path, encoding: str) -> tuple[int, str] | None:
    """(file offset, reason) of the first byte ``encoding`` cannot decode, None when none."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    seen = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return seen + exc.start - _pending(decoder), exc.reason
            seen += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return seen - _pending(decoder) + exc.start, exc.reason
    return None


def _pending(decoder: codecs.IncrementalDecoder) -> int:
    """Bytes of an unfinished character the decoder holds from the previous block."""
    buffered, _ = decoder.getstate()
    return len(buffered)


def _line_at(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


@dataclass(frozen=True, slots=True)
class CsvFile:
    """An open CSV file: its header, where its id is, and its non-blank rows."""

    header: list[str]
    id_at: int
    rows: Iterator[list[str]]

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[list[str]]]:
        """The rows in lists of ``size`` (the last one shorter)."""
        while chunk := list(islice(self.rows, size)):
            yield chunk


@contextmanager
def csv_file(path: Path, *, warn: Warn | None = None) -> Iterator[CsvFile]:
    """``path`` open as CSV; :class:`InputError` naming the line when its header has no id
    column or a row read inside the ``with`` block is not CSV."""
    encoding = file_encoding(path, warn)
    with path.open(newline="", encoding=encoding, errors="strict") as handle:
        reader = csv.reader(handle)
        try:
            header = [h.lstrip("\ufeff") for h in next(reader, [])]
            id_at = id_column(header)
            if id_at is None:
                raise InputError(
                    f"{path}: line 1: the header must have an id column ({', '.join(ID_COLUMNS)})"
                )
            # blank lines are skipped, as csv.DictReader skips them
            yield CsvFile(header, id_at, filter(None, reader))
        except csv.Error as exc:
            raise InputError(f"{path}: line {reader.line_num}: {exc}") from exc


def row_id(row: Sequence[str], id_at: int) -> str:
    """A row's id, stripped; "" when the cell is empty or missing."""
    return row[id_at].strip() if id_at < len(row) else ""


def parse_jsonl_line(line: bytes | str, number: int, *, where: str = "") -> IngestItem:
    """One JSON line as an ingest item; a line that is not JSON is an item of its own that
    validation refuses with the reason (the rest of the file still loads)."""
    # imported here: ``mdm dedupe`` reading CSV loads nothing of the persistence package
    from mdm.db.storable import loads_exact

    try:
        data = loads_exact(line)
    except orjson.JSONDecodeError as exc:
        return IngestItem(f"line-{number}", {"__malformed__": f"{where}line {number}: {exc}"})
    if not isinstance(data, dict):
        return IngestItem(None, data)
    if "record" in data:
        return IngestItem(_json_id(data, pop=False), data["record"])
    record = dict(data)
    return IngestItem(_json_id(record, pop=True), record)


def _json_id(data: dict[str, Any], *, pop: bool) -> str | None:
    for name in ID_COLUMNS:
        value = data.get(name)
        if value is not None and value != "":
            if pop:
                del data[name]
            return value.strip() if isinstance(value, str) else value
    return None


def read_items(path: Path, *, warn: Warn | None = None) -> Iterator[IngestItem]:
    """Ingest items from a .csv or .jsonl/.ndjson file, one at a time; an unsupported
    suffix is refused at once."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_items(path, warn)
    if suffix in JSONL_SUFFIXES:
        return (item for _, item in read_jsonl(path, warn=warn))
    raise InputError(f"{path}: unsupported file type '{suffix}': use .csv or .jsonl")


def _csv_items(path: Path, warn: Warn | None) -> Iterator[IngestItem]:
    with csv_file(path, warn=warn) as file:
        header, at = file.header, file.id_at
        for row in file.rows:
            record = record_from_flat(dict(zip(header, row, strict=False)))
            yield IngestItem((row[at].strip() if at < len(row) else "") or None, record)


def read_jsonl(path: Path, *, warn: Warn | None = None) -> Iterator[tuple[int, IngestItem]]:
    """Each non-blank line's number and ingest item."""
    encoding = file_encoding(path, warn)
    where = f"{path}: "
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if line.strip():
                text = line if encoding == "utf-8-sig" else line.decode(encoding)
                yield number, parse_jsonl_line(text, number, where=where)


def count_lines(path: Path) -> int:
    """The records in ``path`` (non-blank lines, less the CSV header), for a progress bar."""
    with path.open("rb") as fh:
        n = sum(1 for line in fh if line.strip())
    return n - 1 if path.suffix.lower() == ".csv" else n
