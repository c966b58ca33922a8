"""Golden rows for the read side (GraphQL loaders, REST reads): one statement per batch.

Every function takes a whole batch of keys and returns rows grouped by key, so
that a DataLoader can answer a list of any length with one statement (split in
chunks of 500 ids only for very large batches). Nothing here writes.

JSON attributes are read through :func:`attr`, which renders the exact
expression that the ``0003_graphql_indexes`` migration indexes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter

from canonical.states import GoldenStatus
from mdm.db.repositories.base import GR, GV, SR, chunks, dicts

__all__ = [
    "GR_COLUMNS",
    "MAX_MERGE_HOPS",
    "Row",
    "attr",
    "child_rows",
    "dicts",
    "family_rows",
    "golden_rows",
    "golden_rows_as_of",
    "golden_rows_to_survivors",
    "history_rows",
    "member_rows",
    "referrer_rows",
    "referrer_rows_as_of",
    "survivor_id",
]

Row = dict[str, Any]

MAX_MERGE_HOPS = 50


def attr(table: str, path: str, dialect: str) -> ColumnElement[Any]:
    """The text value of ``attributes.<path>`` of ``table`` (a name or alias).

    ``path`` is a dotted path of plain keys (``"address.country"``); keys are
    never user input.
    """
    keys = path.split(".")
    if dialect == "postgresql":
        if len(keys) == 1:
            return literal_column(f"({table}.attributes ->> '{keys[0]}')")
        return literal_column(f"({table}.attributes #>> '{{{','.join(keys)}}}')")
    return literal_column(f"json_extract({table}.attributes, '$.{path}')")


def _dialect(conn: Connection) -> str:
    return conn.dialect.name


_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_ID: BindParameter[Any] = bindparam("id")


def _among(column: Any, one: bool) -> ColumnElement[bool]:
    """``column = :id`` for a batch of one, else ``column IN :ids``: an expanding IN is
    rendered again on every execution (about 80 microseconds a statement), and most
    batches on the read paths by id hold one id."""
    return column == _ID if one else column.in_(_IDS)


def _bind(ids: Sequence[str]) -> dict[str, Any]:
    return {"id": ids[0]} if len(ids) == 1 else {"ids": list(ids)}


def _golden_columns(table: Any) -> list[Any]:
    """Every golden_record column, lineage as JSON text: views decode it only if asked."""
    return [cast(c, Text).label(c.name) if c.name == "lineage" else c for c in table.c]


GR_COLUMNS = _golden_columns(GR)
# Statements built once: the hot paths skip construction and cache-key work.
_GOLDEN_BY_ID = {one: select(*GR_COLUMNS).where(_among(GR.c.id, one)) for one in (True, False)}
_MEMBER_COLUMNS = [c for c in SR.c if c.name not in ("payload", "payload_hash")]
# xrefs by source then source id (GraphQL), or by record id (REST's order)
_MEMBER_ORDER = {"source": (SR.c.source, SR.c.source_id), "id": (SR.c.id,)}
_MEMBERS = {
    (order, one): select(*_MEMBER_COLUMNS).where(_among(SR.c.golden_id, one)).order_by(*columns)
    for order, columns in _MEMBER_ORDER.items()
    for one in (True, False)
}


def _referrers_parts(dialect: str, key: str, one: bool) -> tuple[Select[Any], Select[Any]]:
    kids = select(literal_column("'r'").label("_kind"), *GR_COLUMNS).where(
        _among(attr(GR.name, key, dialect), one)
    )
    merged = GR.alias("m")
    aliases = select(literal_column("'m'").label("_kind"), *_golden_columns(merged)).where(
        _among(merged.c.merged_into, one)
    )
    return kids, aliases


@cache
def _referrers_stmt(dialect: str, key: str, one: bool) -> CompoundSelect:
    return union_all(*_referrers_parts(dialect, key, one))


@cache
def _family_stmt(dialect: str, one: bool) -> CompoundSelect:
    me = select(literal_column("'g'").label("_kind"), *GR_COLUMNS).where(_among(GR.c.id, one))
    inner = GR.alias("i")
    parent = GR.alias("p")
    parents = select(literal_column("'p'").label("_kind"), *_golden_columns(parent)).where(
        parent.c.id.in_(select(attr("i", "parent", dialect)).where(_among(inner.c.id, one)))
    )
    return union_all(*_referrers_parts(dialect, "parent", one), me, parents)


def family_rows(conn: Connection, ids: Sequence[str]) -> list[tuple[str, Row]]:
    """Customers by id with their parents, children and merged-in ids, in one statement.

    Returns ``(kind, row)`` pairs: ``g`` a requested row, ``p`` a parent of one,
    ``r`` a row whose ``parent`` names one, ``m`` a row merged into one.
    """
    out: list[tuple[str, Row]] = []
    stmt = _family_stmt(_dialect(conn), len(ids) == 1)
    for rec in dicts(conn.execute(stmt, _bind(ids))):
        out.append((rec.pop("_kind"), rec))
    return out


def golden_rows(conn: Connection, ids: Sequence[str]) -> dict[str, Row]:
    """Current golden rows by id (any entity type, any status)."""
    out: dict[str, Row] = {}
    for part in chunks(sorted(set(ids))):
        for row in dicts(conn.execute(_GOLDEN_BY_ID[len(part) == 1], _bind(part))):
            out[row["id"]] = row
    return out


def golden_rows_to_survivors(conn: Connection, ids: Sequence[str]) -> list[dict[str, Row]]:
    """Current golden rows by id, then the rows they were merged into, and so on.

    One dict per round (at most :data:`MAX_MERGE_HOPS` after the first), each
    holding rows not fetched before; with :func:`survivor_id` they answer a
    merged-away id with the record that now stands for it. One statement when
    nothing asked for is merged.
    """
    rounds = [golden_rows(conn, ids)]
    seen = set(rounds[0])
    for _ in range(MAX_MERGE_HOPS):
        missing = {
            r["merged_into"]
            for r in rounds[-1].values()
            if r["status"] == GoldenStatus.MERGED
            and r["merged_into"]
            and r["merged_into"] not in seen
        }
        if not missing:
            break
        rounds.append(golden_rows(conn, list(missing)))
        seen.update(missing)
    return rounds


def survivor_id(rows: Mapping[str, Row], golden_id: str) -> str:
    """Follow merges through ``rows`` (up to :data:`MAX_MERGE_HOPS`) to the id that now
    stands for ``golden_id``; the id itself unless it was merged."""
    gid = golden_id
    for _ in range(MAX_MERGE_HOPS):
        row = rows.get(gid)
        if row is None or row["status"] != GoldenStatus.MERGED or not row["merged_into"]:
            return gid
        gid = row["merged_into"]
    return gid


def golden_rows_as_of(conn: Connection, ids: Sequence[str], as_of: datetime) -> dict[str, Row]:
    """Each golden record as its latest version recorded at or before ``as_of``.

    The row carries the version's status, attributes, lineage and members, the
    record's entity type and creation time, and ``recorded_at`` as ``updated_at``.
    Ids without a version by then are absent.
    """
    out: dict[str, Row] = {}
    for part in chunks(sorted(set(ids))):
        latest = (
            select(GV.c.golden_id, func.max(GV.c.version).label("v"))
            .where(GV.c.golden_id.in_(part), GV.c.recorded_at <= as_of)
            .group_by(GV.c.golden_id)
            .subquery()
        )
        stmt = (
            select(GV, GR.c.entity_type, GR.c.created_at, GR.c.merged_into)
            .join(latest, and_(GV.c.golden_id == latest.c.golden_id, GV.c.version == latest.c.v))
            .join(GR, GR.c.id == GV.c.golden_id)
        )
        for row in dicts(conn.execute(stmt)):
            out[row["golden_id"]] = _version_as_golden(row)
    return out


def _version_as_golden(row: Mapping[str, Any]) -> Row:
    return {
        "id": row["golden_id"],
        "entity_type": row["entity_type"],
        "version": row["version"],
        "status": row["status"],
        "merged_into": row["merged_into"] if row["status"] == GoldenStatus.MERGED else None,
        "attributes": row["attributes"],
        "lineage": row["lineage"],
        "created_at": row["created_at"],
        "updated_at": row["recorded_at"],
        "members": row["members"],
    }


def member_rows(
    conn: Connection, golden_ids: Sequence[str], order: Literal["source", "id"] = "source"
) -> dict[str, list[Row]]:
    """The source records (xrefs) linked to each golden record, by source then source
    id, or by record id."""
    out: dict[str, list[Row]] = {}
    for part in chunks(sorted(set(golden_ids))):
        for row in dicts(conn.execute(_MEMBERS[order, len(part) == 1], _bind(part))):
            out.setdefault(row["golden_id"], []).append(row)
    return out


def referrer_rows(
    conn: Connection, entity_type: str, key: str, targets: Sequence[str]
) -> dict[str, list[Row]]:
    """Active ``entity_type`` golden rows whose ``attributes.<key>`` names a target.

    A target also collects the referrers of every record merged into it (at any
    depth), so the children of a survivor include those of the merged-away ids.
    Rows are ordered by id within a target.

    One statement in the common case: the referrers of the targets UNION ALL the
    rows merged into them; only when merged rows turn up does a second round ask
    for their referrers. Ids go in as literal IN lists because SQLite uses an
    expression index for ``expr IN (list)`` but not for a join on the expression.
    """
    d = _dialect(conn)
    root_of = {t: t for t in targets}
    out: dict[str, list[Row]] = {}
    wanted = sorted(set(targets))
    while wanted:
        found_aliases: list[str] = []
        for part in chunks(wanted):
            stmt = _referrers_stmt(d, key, len(part) == 1)
            for rec in dicts(conn.execute(stmt, _bind(part))):
                if rec.pop("_kind") == "m":
                    if rec["id"] not in root_of:
                        root_of[rec["id"]] = root_of[rec["merged_into"]]
                        found_aliases.append(rec["id"])
                elif rec["status"] == GoldenStatus.ACTIVE and rec["entity_type"] == entity_type:
                    target = root_of[rec["attributes"][key]]
                    out.setdefault(target, []).append(rec)
        wanted = found_aliases
    for rows in out.values():
        rows.sort(key=lambda r: str(r["id"]))
    return out


def referrer_rows_as_of(
    conn: Connection, entity_type: str, key: str, targets: Sequence[str], as_of: datetime
) -> dict[str, list[Row]]:
    """Like :func:`referrer_rows`, for the versions valid at ``as_of`` (no alias
    expansion: merges are not versioned with their target ids). Scans history."""
    out: dict[str, list[Row]] = {}
    d = _dialect(conn)
    wanted = set(targets)
    for part in chunks(sorted(wanted)):
        ever = (
            select(GV.c.golden_id)
            .join(GR, GR.c.id == GV.c.golden_id)
            .where(
                GR.c.entity_type == entity_type,
                GV.c.recorded_at <= as_of,
                attr(GV.name, key, d).in_(part),
            )
            .distinct()
        )
        ids = [r[0] for r in conn.execute(ever)]
        for _, row in sorted(golden_rows_as_of(conn, ids, as_of).items()):
            target = (row["attributes"] or {}).get(key)
            if row["status"] == GoldenStatus.ACTIVE and target in wanted:
                out.setdefault(target, []).append(row)
    return out


def history_rows(
    conn: Connection, ids: Sequence[str], first: int, as_of: datetime | None = None
) -> dict[str, list[Row]]:
    """The newest ``first`` versions of each golden record (recorded by ``as_of``),
    newest first."""
    out: dict[str, list[Row]] = {}
    for part in chunks(sorted(set(ids))):
        rn = (
            func.row_number()
            .over(partition_by=GV.c.golden_id, order_by=GV.c.version.desc())
            .label("rn")
        )
        where: list[ColumnElement[bool]] = [GV.c.golden_id.in_(part)]
        if as_of is not None:
            where.append(GV.c.recorded_at <= as_of)
        inner = select(GV, rn).where(*where).subquery()
        stmt = (
            select(inner)
            .where(inner.c.rn <= first)
            .order_by(inner.c.golden_id, inner.c.version.desc())
        )
        for row in dicts(conn.execute(stmt)):
            out.setdefault(row["golden_id"], []).append(row)
    return out


def child_rows(conn: Connection, parent_ids: Sequence[str]) -> list[Row]:
    """``id``, ``attributes`` and ``parent`` of the active golden customers whose
    ``parent`` names one of ``parent_ids`` (no merge expansion, unlike
    :func:`referrer_rows`; in no particular order)."""
    parent = attr(GR.name, "parent", _dialect(conn))
    out: list[Row] = []
    for part in chunks(list(parent_ids)):
        stmt = select(GR.c.id, GR.c.attributes, parent.label("parent")).where(
            GR.c.entity_type == "customer", GR.c.status == GoldenStatus.ACTIVE, parent.in_(part)
        )
        out.extend(dicts(conn.execute(stmt)))
    return out
