"""What a rematch reads: every current record of an entity type in one streamed SELECT,
and the steward decisions and open questions about them.

The reads are sized for a million records: the records come in partitions of a cursor
(a server-side cursor on PostgreSQL, SQLite's own stepping), with only the prepared
(standardized) form and the two ids of each, never the whole table in memory at once;
payloads are read only for the few records shown, and for records whose prepared form
is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select

from canonical.states import GoldenStatus
from mdm.db.repositories.base import AU, GR, GV, ME, NM, SR, ST, Repository, chunks, dicts, in_list

__all__ = ["REMATCH_APPLIED", "RematchReads"]

REMATCH_APPLIED = "rematch_applied"
"""The audit action of an applied rematch; the merges it made share its correlation id and
are the model's, not a steward's (a later rematch may undo them)."""

STREAM_ROWS = 20_000
"""Records per partition of the stream: large enough that a round trip costs little, small
enough that a partition's decoded JSON stays a few tens of MB."""


class RematchReads(Repository):
    def prepared(
        self, entity_type: str, *, partition: int = STREAM_ROWS
    ) -> Iterator[Sequence[tuple[str, str, str, Any]]]:
        """``(record id, golden id, source, match_std)`` of every current record of
        ``entity_type``, a partition at a time."""
        stmt = (
            select(SR.c.id, SR.c.golden_id, SR.c.source, SR.c.match_std)
            .where(SR.c.entity_type == entity_type)
            .execution_options(yield_per=partition)
        )
        result = self.conn.execute(stmt)
        for rows in result.partitions():
            yield [(r[0], r[1], r[2], r[3]) for r in rows]

    def payloads(self, record_ids: Sequence[str]) -> dict[str, tuple[str, Any]]:
        """``record id -> (source, payload)``."""
        out: dict[str, tuple[str, Any]] = {}
        for part in chunks(list(record_ids)):
            stmt = select(SR.c.id, SR.c.source, SR.c.payload).where(
                in_list(self.dialect, SR.c.id, part)
            )
            out.update((rid, (source, payload)) for rid, source, payload in self.conn.execute(stmt))
        return out

    def shown(self, record_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``record id -> {source, source_id, golden_id, payload}`` of the records a report
        shows."""
        out: dict[str, dict[str, Any]] = {}
        cols = (SR.c.id, SR.c.source, SR.c.source_id, SR.c.golden_id, SR.c.payload)
        for part in chunks(sorted(set(record_ids))):
            stmt = select(*cols).where(in_list(self.dialect, SR.c.id, part))
            for row in self.conn.execute(stmt).mappings():
                out[row["id"]] = dict(row)
        return out

    def ids_by_key(
        self, entity_type: str, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """``(source, source_id) -> record id`` of the records of ``entity_type`` named."""
        out: dict[tuple[str, str], str] = {}
        for source in sorted({s for s, _ in keys}):
            wanted = sorted({sid for s, sid in keys if s == source})
            for part in chunks(wanted):
                stmt = select(SR.c.source_id, SR.c.id).where(
                    SR.c.entity_type == entity_type,
                    SR.c.source == source,
                    in_list(self.dialect, SR.c.source_id, part),
                )
                out.update(((source, sid), rid) for sid, rid in self.conn.execute(stmt))
        return out

    def merged_into(self, entity_type: str) -> dict[str, str]:
        """``golden id -> the golden id it was merged into``, for every merged-away record."""
        stmt = select(GR.c.id, GR.c.merged_into).where(
            GR.c.entity_type == entity_type,
            GR.c.status == GoldenStatus.MERGED,
            GR.c.merged_into.is_not(None),
        )
        return {gid: into for gid, into in self.conn.execute(stmt)}

    def open_merges(self, entity_type: str) -> list[dict[str, Any]]:
        """Every merge of ``entity_type`` not undone and not made by an applied rematch,
        oldest first, with the survivor's members just before it (``survivor_members``:
        ``[source, source_id, version]`` triples of the survivor's last version recorded at
        or before the merge)."""
        earlier = GV.alias("earlier")
        before = (
            select(func.max(earlier.c.version))
            .where(earlier.c.golden_id == ME.c.survivor_id, earlier.c.recorded_at <= ME.c.merged_at)
            .scalar_subquery()
        )
        joined = ME.outerjoin(GV, and_(GV.c.golden_id == ME.c.survivor_id, GV.c.version == before))
        stmt = (
            select(
                ME.c.id,
                ME.c.survivor_id,
                ME.c.merged_id,
                ME.c.moved_records,
                ME.c.task_id,
                ME.c.actor,
                ME.c.reason,
                ME.c.merged_at,
                GV.c.members.label("survivor_members"),
            )
            .select_from(joined)
            .where(
                ME.c.entity_type == entity_type,
                ME.c.undone_at.is_(None),
                or_(ME.c.correlation_id.is_(None), ME.c.correlation_id.not_in(_rematches())),
            )
            .order_by(ME.c.merged_at, ME.c.id)
        )
        return list(dicts(self.conn.execute(stmt)))

    def not_a_match(self, entity_type: str) -> list[dict[str, Any]]:
        stmt = (
            select(NM.c.left_id, NM.c.right_id, NM.c.actor, NM.c.reason, NM.c.created_at)
            .where(NM.c.entity_type == entity_type)
            .order_by(NM.c.created_at, NM.c.left_id, NM.c.right_id)
        )
        return list(dicts(self.conn.execute(stmt)))

    def open_pair_tasks(
        self, entity_type: str, *, kinds: Sequence[str], statuses: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Undecided tasks of ``kinds`` about a pair of golden records, oldest first."""
        stmt = (
            select(
                ST.c.id,
                ST.c.kind,
                ST.c.golden_id,
                ST.c.candidate_golden_id,
                ST.c.score,
                ST.c.created_at,
            )
            .where(
                ST.c.entity_type == entity_type,
                ST.c.kind.in_(list(kinds)),
                ST.c.status.in_(list(statuses)),
                ST.c.golden_id.is_not(None),
                ST.c.candidate_golden_id.is_not(None),
            )
            .order_by(ST.c.created_at, ST.c.id)
        )
        return list(dicts(self.conn.execute(stmt)))

    def decisions_state(self, entity_type: str) -> tuple[Any, ...]:
        """What changes whenever a steward decides about ``entity_type`` records (a merge,
        an unmerge, a not-a-match pair, a task decided): equal before and after means no
        decision came in between."""
        merges = select(func.count(), func.max(ME.c.merged_at), func.max(ME.c.undone_at)).where(
            ME.c.entity_type == entity_type
        )
        apart = select(func.count(), func.max(NM.c.created_at)).where(
            NM.c.entity_type == entity_type
        )
        tasks = select(func.count(), func.max(ST.c.decided_at)).where(
            ST.c.entity_type == entity_type, ST.c.decided_at.is_not(None)
        )
        return tuple(v for stmt in (merges, apart, tasks) for v in self.conn.execute(stmt).one())


def _rematches() -> Any:
    return select(AU.c.correlation_id).where(
        AU.c.action == REMATCH_APPLIED, AU.c.correlation_id.is_not(None)
    )
