"""``mdm dedupe``'s input: a record file to one standardized :class:`RecordTable`, on every core.

The file is read by the one reader of record files (:mod:`mdm.domain.files`: CSV or JSON
Lines, the id column, the encoding, errors naming file and line), so it means what it means
to ``mdm load``. Reading rows into records and standardizing them was most of a million-row
dedupe, while one core read and the other waited. Here the main process only takes the
CSV file's chunks of rows; worker processes (forked, so nothing is imported twice) turn each
chunk into a small table of its own: customers column by column
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

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain
from pathlib import Path

from canonical.flat import ID_COLUMNS, flat_columns, id_column, records_from_rows
from matching.batch import standardize_columns
from matching.forked import can_fork
from matching.standardize.columns import customer_columns_of
from matching.table import RecordTable, TableBuilder
from mdm.domain.files import (
    JSONL_SUFFIXES,
    InputError,
    csv_file,
    parse_jsonl_line,
    read_jsonl,
    row_id,
)

__all__ = [
    "CHUNK_ROWS",
    "InputError",
    "lines_table",
    "read_table",
    "rows_table",
]

CHUNK_ROWS = 20_000
"""Rows per task: big enough that pickling a chunk costs little next to standardizing it."""


def read_table(
    path: Path,
    entity: str,
    fields: Sequence[str],
    *,
    processes: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[str], RecordTable]:
    """The id column and the table of the standardized ``fields`` of every record of a CSV
    or JSON Lines file (:mod:`mdm.domain.files`; a file that is not UTF-8 is read as
    Windows-1252, and ``warn`` says so)."""
    if path.suffix.lower() in JSONL_SUFFIXES:
        return _read_lines(path, entity, tuple(fields), warn)
    ids: list[str] = []
    with csv_file(path, warn=warn) as file:
        chunks = _with_ids(file.chunks(CHUNK_ROWS), file.id_at, ids)
        table = TableBuilder()
        for part in _standardized(chunks, file.header, entity, tuple(fields), processes):
            table.add(part)  # while the workers make the next parts
    if not ids:
        return ids, RecordTable.from_columns({name: [] for name in fields}, size=0)
    return ids, table.build()


def _with_ids(
    chunks: Iterator[list[list[str]]], id_at: int, ids: list[str]
) -> Iterator[list[list[str]]]:
    for chunk in chunks:  # row_id, inline: a million calls cost more than the rest of this
        ids.extend([row[id_at].strip() if id_at < len(row) else "" for row in chunk])
        yield chunk


def _read_lines(
    path: Path, entity: str, fields: tuple[str, ...], warn: Callable[[str], None] | None
) -> tuple[list[str], RecordTable]:
    ids: list[str] = []
    records: list[dict[str, object]] = []
    for number, item in read_jsonl(path, warn=warn):
        if not isinstance(item.record, dict):
            raise InputError(f"{path}: line {number}: not a JSON object")
        if "__malformed__" in item.record:
            raise InputError(str(item.record["__malformed__"]))
        ids.append(str(item.source_id or ""))
        records.append(item.record)
    columns = standardize_columns(entity, records, fields, processes=1)
    return ids, RecordTable.from_columns(columns, size=len(records))


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
        raise InputError(f"the header must have an id column ({', '.join(ID_COLUMNS)})")
    ids = [row_id(row, id_at) for row in rows]
    return ids, _prepare(rows, names, entity, fields)


def lines_table(
    entity: str, fields: tuple[str, ...], lines: list[bytes]
) -> tuple[list[str], RecordTable]:
    """Each line's id and the standardized table of JSON Lines as ``mdm load`` reads them:
    ``{"source_id": ..., "record": {...}}``, or the record with ``source_id`` or ``id``."""
    ids: list[str] = []
    records: list[dict[str, object]] = []
    for number, line in enumerate(lines, 1):
        item = parse_jsonl_line(line, number)
        if not isinstance(item.record, dict) or "__malformed__" in item.record:
            raise InputError(f"line {number} of a batch is not a JSON object")
        ids.append(str(item.source_id or ""))
        records.append(item.record)
    columns = standardize_columns(entity, records, fields, processes=1)
    return ids, RecordTable.from_columns(columns, size=len(records))
