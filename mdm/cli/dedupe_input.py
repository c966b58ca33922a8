"""``mdm dedupe``'s input: a CSV file to one standardized :class:`RecordTable`, on every core.

Reading rows into records and standardizing them was most of a million-row dedupe, while
one core read and the other waited. Here the main process only splits the file into
chunks of rows; worker processes (forked, so nothing is imported twice) turn each chunk
into a small table of its own: customers column by column
(:func:`canonical.flat.flat_columns`, then the standardizers once per distinct value),
other entities record by record (:func:`canonical.flat.records_from_rows`), then
factorized, so what comes back is integer codes and each distinct value once. The main
process joins the chunks in file order as they come (:class:`TableBuilder`). At most
``2 x workers`` chunks are in flight, so memory holds a few chunks of rows, never the
whole file. A file of one chunk runs in this process.

The result equals reading the file with :class:`csv.DictReader` and standardizing every
record: a short row lacks its missing cells, a long row's extra cells are ignored.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain
from pathlib import Path

import orjson

from canonical.flat import flat_columns, records_from_rows
from matching.batch import standardize_columns
from matching.forked import can_fork
from matching.standardize.columns import customer_columns_of
from matching.table import RecordTable, TableBuilder

__all__ = [
    "CHUNK_ROWS",
    "ID_HEADERS",
    "InputError",
    "id_column",
    "lines_table",
    "read_table",
    "rows_table",
]

CHUNK_ROWS = 20_000
"""Rows per task: big enough that pickling a chunk costs little next to standardizing it."""


class InputError(ValueError):
    """The file cannot be read as dedupe input (the message names the problem)."""


ID_HEADERS = ("id", "source_id", "record_id", "rec_id")
"""Headers that name a row's id, in order of preference (case and spaces aside)."""

FALLBACK_ENCODING = "cp1252"
"""What a file that is not UTF-8 is read as: the spreadsheet export it most often is."""


def read_table(
    path: Path,
    entity: str,
    fields: Sequence[str],
    *,
    processes: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[str], RecordTable]:
    """The id column and the table of the standardized ``fields`` of every row.

    A file that is not valid UTF-8 is read again as Windows-1252, and ``warn`` says so.
    """
    try:
        return _read(path, "utf-8-sig", entity, fields, processes)
    except UnicodeDecodeError as exc:
        if warn is not None:
            warn(
                f"{path} is not UTF-8 (byte {exc.start}: {exc.reason}); "
                f"reading it as {FALLBACK_ENCODING}"
            )
        return _read(path, FALLBACK_ENCODING, entity, fields, processes)


def _read(
    path: Path, encoding: str, entity: str, fields: Sequence[str], processes: int | None
) -> tuple[list[str], RecordTable]:
    ids: list[str] = []
    with path.open(newline="", encoding=encoding, errors="strict") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        id_at = id_column(header or [])
        if header is None or id_at is None:
            raise InputError(f"{path}: the header must have an id column ({', '.join(ID_HEADERS)})")
        chunks = _chunks(reader, id_at, ids)
        table = TableBuilder()
        for part in _standardized(chunks, header, entity, tuple(fields), processes):
            table.add(part)  # while the workers make the next parts
    if not ids:
        return ids, RecordTable.from_columns({name: [] for name in fields}, size=0)
    return ids, table.build()


def id_column(header: Sequence[str]) -> int | None:
    """Where the id is among ``header``'s columns (:data:`ID_HEADERS`), None without one."""
    names = [h.lstrip("\ufeff").strip().lower().replace(" ", "_") for h in header]
    for wanted in ID_HEADERS:
        if wanted in names:
            return names.index(wanted)
    return None


def _chunks(reader: Iterator[list[str]], id_at: int, ids: list[str]) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for row in reader:
        if not row:  # csv.DictReader skips blank lines too
            continue
        ids.append(row[id_at] if id_at < len(row) else "")
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _standardized(
    chunks: Iterator[list[list[str]]],
    header: list[str],
    entity: str,
    fields: tuple[str, ...],
    processes: int | None,
) -> Iterator[RecordTable]:
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    workers = processes or os.cpu_count() or 1
    every = chain([first], [second] if second else [], chunks)
    if second is None or workers == 1 or not can_fork():
        for chunk in every:
            yield _prepare(chunk, header, entity, fields)
        return
    context = multiprocessing.get_context("fork")
    pending: deque[Future[RecordTable]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for chunk in every:
            pending.append(pool.submit(_prepare, chunk, header, entity, fields))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _prepare(
    rows: list[list[str]], header: list[str], entity: str, fields: tuple[str, ...]
) -> RecordTable:
    """One chunk of rows as a standardized table (in a worker process)."""
    if entity == "customer":
        raw = flat_columns(header, rows)
        none: list[str | None] = [None] * len(rows)
        columns = customer_columns_of(lambda path: raw.get(path, none), len(rows), fields)
    else:
        records = records_from_rows(header, rows)
        columns = standardize_columns(entity, records, fields, processes=1)
    return RecordTable.from_columns(columns, size=len(rows))


def rows_table(
    entity: str, fields: tuple[str, ...], header: Sequence[str], rows: list[list[str]]
) -> tuple[list[str], RecordTable]:
    """Each row's id and the standardized table of flat ``rows`` under ``header``: what
    :func:`read_table` makes of one chunk of a file, for engines that read the file
    themselves (``mdm dedupe --engine spark`` calls it on executors)."""
    names = [h.lstrip("\ufeff") for h in header]
    id_at = id_column(names)
    if id_at is None:
        raise InputError(f"the header must have an id column ({', '.join(ID_HEADERS)})")
    ids = [row[id_at] if id_at < len(row) else "" for row in rows]
    return ids, _prepare(rows, names, entity, fields)


def lines_table(
    entity: str, fields: tuple[str, ...], lines: list[bytes]
) -> tuple[list[str], RecordTable]:
    """Each line's id and the standardized table of JSON Lines as ``mdm load`` reads them:
    ``{"source_id": ..., "record": {...}}``, or the record with ``source_id`` or ``id``."""
    ids: list[str] = []
    records: list[dict[str, object]] = []
    for number, line in enumerate(lines, 1):
        data = orjson.loads(line)
        if not isinstance(data, dict):
            raise InputError(f"line {number} of a batch is not a JSON object")
        if "record" in data:
            ids.append(str(data.get("source_id") or ""))
            records.append(dict(data["record"]))
        else:
            record = dict(data)
            ids.append(str(record.pop("source_id", None) or record.pop("id", None) or ""))
            records.append(record)
    columns = standardize_columns(entity, records, fields, processes=1)
    return ids, RecordTable.from_columns(columns, size=len(records))
