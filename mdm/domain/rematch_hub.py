"""The hub as a rematch sees it: every current record of one entity type as a row of a
standardized table with its golden record, and the steward decisions about them as sets
of rows.

The records are read in one streamed SELECT (:class:`mdm.db.repositories.rematch.RematchReads`)
and turned into table columns a partition at a time (:class:`matching.table.TableBuilder`):
a million records hold their codes and distinct values plus two fixed-width ids each,
never a million dicts. Each record's stored prepared form (``match_std``, written at
ingest) is used as it is, as training uses it (:mod:`mdm.domain.learning_table`); a record
prepared by an older standardizer is prepared again from its payload.

Decisions become pairs of row sets (:data:`matching.rematch.Sides`), always against the
golden records of now (a merged-away id stands for its survivor):

- ``together``: each merge not undone (an approved match or a manual merge): the records
  it moved, against the survivor's records just before it, both as far as they still
  share a golden record (a later split or unmerge has the last word);
- ``apart``: each not-a-match pair (a rejected match, a split);
- ``questions``: each undecided task about a pair of golden records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.batch import table_fields
from matching.port import Matcher
from matching.rematch import Groups, IntArray, Sides
from matching.settings import MatchSettings
from matching.standardize import STANDARDIZER_VERSION
from matching.table import RecordTable, TableBuilder
from mdm.db.repositories.base import chunks
from mdm.db.repositories.rematch import RematchReads
from mdm.db.uow import UnitOfWork
from mdm.domain.tasks import MERGEABLE, OPEN

__all__ = ["Decision", "HubDecisions", "HubRecords", "read_decisions", "read_hub"]

ID = "S32"
"""Record and golden ids are 32 hex characters (:func:`mdm.domain.golden_book.new_id`):
fixed-width bytes hold a million of them in 32 MB, sorted and searched by numpy."""

_STANDARDIZER_KEY = "_standardizer"  # matching.engine tags each prepared record with it
_MAX_MERGE_HOPS = 50


@dataclass(eq=False)
class HubRecords:
    """Row ``i`` of ``table`` is the record ``ids[i]`` of golden record
    ``golden_ids[golden[i]]``."""

    entity_type: str
    table: RecordTable
    ids: npt.NDArray[np.bytes_]
    golden: IntArray
    golden_ids: npt.NDArray[np.bytes_]
    _order: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._order = np.argsort(self.ids, kind="stable")

    @property
    def size(self) -> int:
        return len(self.ids)

    @cached_property
    def by_golden(self) -> Groups:
        return Groups(self.golden)

    def rows_of(self, record_ids: Iterable[str]) -> IntArray:
        """Rows of the named records that are in the table (others are left out)."""
        wanted = np.array(list(record_ids), dtype=ID)
        if not len(wanted) or not self.size:
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.ids, wanted, sorter=self._order)
        at = np.minimum(at, self.size - 1)
        rows = self._order[at]
        return np.unique(rows[self.ids[rows] == wanted]).astype(np.int64)

    def rows_of_golden(self, golden_id: str) -> IntArray:
        code = int(np.searchsorted(self.golden_ids, golden_id.encode()))
        if code >= len(self.golden_ids) or self.golden_ids[code] != golden_id.encode():
            return np.zeros(0, dtype=np.int64)
        return np.sort(self.by_golden.rows(code))

    def record_id(self, row: int) -> str:
        return bytes(self.ids[row]).decode()

    def golden_id(self, code: int) -> str:
        return bytes(self.golden_ids[code]).decode()


def _fresh(stored: Any) -> bool:
    return isinstance(stored, Mapping) and stored.get(_STANDARDIZER_KEY) == STANDARDIZER_VERSION


def read_hub(uow: UnitOfWork, matcher: Matcher, settings: MatchSettings) -> HubRecords:
    """Every current record of ``settings.entity_type`` as a table of the fields
    ``settings`` reads (:func:`matching.batch.table_fields`)."""
    reads = RematchReads(uow.records.conn)
    fields = table_fields(settings)
    builder = TableBuilder()
    ids: list[npt.NDArray[np.bytes_]] = []
    goldens: list[npt.NDArray[np.bytes_]] = []
    stale: list[tuple[str, str]] = []
    for partition in reads.prepared(settings.entity_type):
        rows, part_ids, part_goldens = [], [], []
        for rid, gid, _source, stored in partition:
            if _fresh(stored):
                rows.append(stored)
                part_ids.append(rid)
                part_goldens.append(gid)
            else:
                stale.append((rid, gid))
        if rows:
            builder.add(RecordTable.from_rows(rows, fields))
            ids.append(np.array(part_ids, dtype=ID))
            goldens.append(np.array(part_goldens, dtype=ID))
    for part in chunks(stale, 5_000):
        rows, kept = _prepare(uow, reads, matcher, settings.entity_type, part)
        if rows:
            builder.add(RecordTable.from_rows(rows, fields))
            ids.append(np.array([rid for rid, _ in kept], dtype=ID))
            goldens.append(np.array([gid for _, gid in kept], dtype=ID))
    return _hub(settings.entity_type, builder, ids, goldens, fields)


def _prepare(
    uow: UnitOfWork,
    reads: RematchReads,
    matcher: Matcher,
    entity_type: str,
    part: Iterable[tuple[str, str]],
) -> tuple[list[Mapping[str, Any]], list[tuple[str, str]]]:
    """Records whose prepared form is missing or older than the standardizer, prepared
    again from their payloads with their source's default region."""
    part = list(part)
    payloads = reads.payloads([rid for rid, _ in part])
    regions = {s["name"]: s.get("default_region") for s in uow.sources.all()}
    rows: list[Mapping[str, Any]] = []
    kept: list[tuple[str, str]] = []
    for rid, gid in part:
        source, payload = payloads.get(rid, ("", None))
        if not isinstance(payload, Mapping):
            continue
        prepared = matcher.prepare(entity_type, payload, default_region=regions.get(source))
        if prepared is not None:
            rows.append(prepared)
            kept.append((rid, gid))
    return rows, kept


def _hub(
    entity_type: str,
    builder: TableBuilder,
    ids: list[npt.NDArray[np.bytes_]],
    goldens: list[npt.NDArray[np.bytes_]],
    fields: Iterable[str],
) -> HubRecords:
    if not ids:
        empty_ids = np.zeros(0, dtype=ID)
        table = RecordTable.from_columns({name: [] for name in fields}, size=0)
        return HubRecords(entity_type, table, empty_ids, np.zeros(0, dtype=np.int64), empty_ids)
    golden_ids, codes = np.unique(np.concatenate(goldens), return_inverse=True)
    return HubRecords(
        entity_type, builder.build(), np.concatenate(ids), codes.astype(np.int64), golden_ids
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision or open question as two sides of rows, and what a report says of it."""

    sides: Sides
    info: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HubDecisions:
    together: list[Decision]
    apart: list[Decision]
    questions: list[Decision]


def read_decisions(uow: UnitOfWork, hub: HubRecords) -> HubDecisions:
    """The steward decisions and open questions of ``hub.entity_type`` (module docstring)."""
    reads = RematchReads(uow.records.conn)
    merged = reads.merged_into(hub.entity_type)

    def survivor(golden_id: str) -> str:
        for _ in range(_MAX_MERGE_HOPS):
            if golden_id not in merged:
                break
            golden_id = merged[golden_id]
        return golden_id

    return HubDecisions(
        _together(reads, hub, survivor),
        _pairs(reads.not_a_match(hub.entity_type), hub, survivor, _rejected_info),
        _pairs(
            reads.open_pair_tasks(hub.entity_type, kinds=MERGEABLE, statuses=OPEN),
            hub,
            survivor,
            _question_info,
        ),
    )


def _together(reads: RematchReads, hub: HubRecords, survivor: Any) -> list[Decision]:
    events = reads.open_merges(hub.entity_type)
    keys = {(m[0], m[1]) for e in events for m in (e["survivor_members"] or ())}
    record_of = reads.ids_by_key(hub.entity_type, sorted(keys))
    out: list[Decision] = []
    for event in events:
        now = survivor(event["survivor_id"])
        members = hub.rows_of_golden(now)
        moved = np.intersect1d(hub.rows_of(event["moved_records"] or ()), members)
        earlier = (record_of.get((m[0], m[1])) for m in (event["survivor_members"] or ()))
        before = hub.rows_of(rid for rid in earlier if rid is not None)
        before = np.setdiff1d(np.intersect1d(before, members), moved)
        if len(moved) and len(before):
            out.append(Decision((moved, before), _approved_info(event, now)))
    return out


def _approved_info(event: Mapping[str, Any], now: str) -> dict[str, Any]:
    return {
        "decision": "approved_match" if event["task_id"] else "manual_merge",
        "survivor_id": event["survivor_id"],
        "merged_id": event["merged_id"],
        "golden_id": now,
        "task_id": event["task_id"],
        "actor": event["actor"],
        "reason": event["reason"],
        "at": event["merged_at"],
    }


def _rejected_info(row: Mapping[str, Any], a: str, b: str) -> dict[str, Any]:
    return {
        "decision": "not_a_match",
        "left_id": row["left_id"],
        "right_id": row["right_id"],
        "golden_ids": [a, b],
        "actor": row["actor"],
        "reason": row["reason"],
        "at": row["created_at"],
    }


def _question_info(row: Mapping[str, Any], a: str, b: str) -> dict[str, Any]:
    return {
        "task_id": row["id"],
        "kind": row["kind"],
        "golden_id": a,
        "candidate_golden_id": b,
        "score": row["score"],
        "at": row["created_at"],
    }


def _pairs(
    rows: Iterable[Mapping[str, Any]], hub: HubRecords, survivor: Any, info: Any
) -> list[Decision]:
    """Decisions about two golden records (ids in the first two of ``left_id, right_id`` or
    ``golden_id, candidate_golden_id``), each side as the records of its survivor now."""
    out: list[Decision] = []
    for row in rows:
        first = row.get("left_id") or row.get("golden_id")
        second = row.get("right_id") or row.get("candidate_golden_id")
        a, b = survivor(str(first)), survivor(str(second))
        if a == b:
            continue
        left, right = hub.rows_of_golden(a), hub.rows_of_golden(b)
        if len(left) and len(right):
            out.append(Decision((left, right), info(row, a, b)))
    return out
