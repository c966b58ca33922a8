"""What every repository shares: the table handles, batching helpers and bulk insert.

Reads fetch whole batches in one statement each; writes go out as
``executemany`` (COPY on PostgreSQL for larger batches). Nothing here commits:
the unit of work owns the transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, String, Table, any_, insert, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from mdm.db import tables as t

__all__ = [
    "AK",
    "AU",
    "DA",
    "DL",
    "GR",
    "GV",
    "MD",
    "ME",
    "MK",
    "ML",
    "MS",
    "NM",
    "OB",
    "OS",
    "QT",
    "RL",
    "RP",
    "SR",
    "SRV",
    "SS",
    "ST",
    "TG",
    "XW",
    "Repository",
    "UniqueRace",
    "chunks",
    "dicts",
    "in_list",
    "is_unique_violation",
    "lock_id",
]


def _table(row_class: Any) -> Table:
    table: Table = row_class.__table__
    return table


SR = _table(t.SourceRecordRow)
SRV = _table(t.SourceRecordVersionRow)
GR = _table(t.GoldenRecordRow)
GV = _table(t.GoldenVersionRow)
MK = _table(t.MatchKeyRow)
MD = _table(t.MatchDecisionRow)
ST = _table(t.StewardTaskRow)
OB = _table(t.OutboxRow)
OS = _table(t.OutboxSequenceRow)
QT = _table(t.QuarantineRow)
SS = _table(t.SourceSystemRow)
AU = _table(t.AuditRow)
AK = _table(t.ApiKeyRow)
ME = _table(t.MergeEventRow)
NM = _table(t.NotAMatchRow)
ML = _table(t.MatchLabelRow)
MS = _table(t.MatchSettingsRow)
TG = _table(t.SyncTargetRow)
DL = _table(t.DeliveryRow)
DA = _table(t.DeliveryAttemptRow)
XW = _table(t.CrosswalkRow)
RP = _table(t.RelayPositionRow)
RL = _table(t.RequestLogRow)


class UniqueRace(Exception):
    """A concurrent writer inserted the same unique key first; the use case runs again
    and then sees that row (raised by repositories where such a race is expected)."""


def is_unique_violation(exc: IntegrityError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


_IN_CHUNK = 500
_COPY_FROM = 20  # below this many rows a plain INSERT beats COPY's set-up round trips


def chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def in_list(dialect: str, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter instead of
    hundreds (cheaper to send, parse and plan)."""
    if dialect == "postgresql":
        return column == any_(literal(list(values), ARRAY(String)))
    return column.in_(list(values))


def lock_id(text: str) -> int:
    """A signed 64-bit advisory-lock id for a string key."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _grouped(
    table: Table, rows: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, ...], list[Mapping[str, Any]]]:
    """Rows grouped by the columns they set, each with the Python-side defaults of the
    columns it leaves out (``status="open"``): SQLAlchemy's ``insert`` fills those, a
    driver-level insert or COPY does not, and a NOT NULL column would refuse the row."""
    defaults = {
        c.name: c.default
        for c in table.c
        if c.default is not None and (c.default.is_scalar or c.default.is_callable)
    }
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        missing = [name for name in defaults if name not in row]
        if missing:
            row = {**row, **{n: _default_value(defaults[n]) for n in missing}}
        groups.setdefault(tuple(row), []).append(row)
    return groups


def _default_value(default: Any) -> Any:
    return default.arg(None) if default.is_callable else default.arg


class Repository:
    """A repository works inside the caller's transaction on its connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def _insert_racing(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows whose unique key a concurrent writer may insert first (checked
        just before by the caller): that race is :class:`UniqueRace`, so the use case
        runs again and sees the other writer's row. Other integrity errors propagate."""
        try:
            with self.conn.begin_nested():
                self._insert(table, rows)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise UniqueRace(f"{table.name}: {exc.orig}") from exc

    def _insert_sqlite(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Many rows through the driver's ``executemany`` with tuples, each value bound by
        its column type's own processor (what SQLAlchemy would write, byte for byte):
        SQLAlchemy's per-row parameter handling cost more than the inserting itself
        (10 of 13 s for an initial load of 100,000 records)."""
        dialect = self.conn.dialect
        for cols, group in _grouped(table, rows).items():
            binds = [_bind_of(table.c[c].type, dialect) for c in cols]
            sql = (
                f"INSERT INTO {table.name} ({', '.join(cols)}) "
                f"VALUES ({', '.join('?' for _ in cols)})"
            )
            values = [
                tuple(
                    bind(row[c]) if bind is not None else row[c]
                    for c, bind in zip(cols, binds, strict=True)
                )
                for row in group
            ]
            self.conn.exec_driver_sql(sql, values)

    def _insert(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many rows. PostgreSQL gets COPY (one stream instead of a statement per
        row, about ten times faster for a chunk); SQLite's executemany is a C loop."""
        if not rows:
            return
        if self.dialect == "sqlite" and len(rows) >= _COPY_FROM:
            self._insert_sqlite(table, rows)
            return
        if self.dialect != "postgresql" or len(rows) < _COPY_FROM:
            self.conn.execute(insert(table), list(rows))
            return
        raw = self.conn.connection.driver_connection
        for cols, group in _grouped(table, rows).items():
            json_cols = {c for c in cols if isinstance(table.c[c].type, JSON)}
            sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN"
            with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
                for row in group:
                    copy.write_row(
                        [
                            _json_text(row[c]) if c in json_cols and row[c] is not None else row[c]
                            for c in cols
                        ]
                    )


def _bind_of(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """A column type's bind processor; for timestamps, one that converts each distinct
    value once (the rows of one bulk write mostly share their ``now``, and the two
    processors a timestamp passes through were a tenth of an initial load's writing)."""
    bind = kind._cached_bind_processor(dialect)
    if bind is None or not _is_timestamp(kind):
        return bind
    done: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        try:
            return done[value]
        except KeyError:
            done[value] = out = bind(value)
            return out

    return once


def _is_timestamp(kind: Any) -> bool:
    return isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime)


def dicts(result: Any) -> Iterator[dict[str, Any]]:
    """A result's rows as plain dicts, the column names read once: ``dict(row)`` of each
    ``.mappings()`` row builds a key view per row (a tenth of the dispatcher's CPU)."""
    keys = list(result.keys())
    for row in result:
        yield dict(zip(keys, row, strict=True))
