"""The golden records one unit of work touches, and what it did to them.

A use case loads the golden records it touches, changes their membership,
and calls :meth:`GoldenBook.recompute` after each change; the book keeps the
versions and outbox events that change produced and writes them all at the
end (:meth:`GoldenBook.flush`), in the caller's unit of work. Merges, unmerges
and ingest all go through this one path, so every golden change gets a version
and an event. The book is the identity map, the loader and the writer; a record's state
is :class:`~mdm.domain.golden_state.GoldenState`, survivorship over its members is
:mod:`~mdm.domain.golden_survival` (no database), and the version and event a change
writes are built by :func:`~mdm.domain.golden_changes.version_and_event`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from canonical.states import GoldenStatus
from canonical.survivorship import Member
from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_changes import version_and_event
from mdm.domain.golden_state import GoldenState, new_id
from mdm.domain.golden_survival import REFERENCES, member_of, ref_key_of, survived
from mdm.domain.record_key import RecordKey
from mdm.domain.schemas import Upcasters

__all__ = ["REFERENCES", "GoldenBook", "ref_key_of"]


class GoldenBook:
    """The golden records one unit of work touches, and what it did to them."""

    def __init__(self, uow: UnitOfWork, *, correlation_id: str | None) -> None:
        self.uow = uow
        self.correlation_id = correlation_id
        self.goldens: dict[str, GoldenState] = {}
        self.xref: dict[RecordKey, str] = {}  # golden id of each record, to resolve references
        self.versions: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.moved_rows: dict[str, dict[str, Any]] = {}
        # stored payloads are read as the newest registered schema sees them
        self.upcasters = Upcasters(uow)

    # -- loading ---------------------------------------------------------------

    def dependents_of(self, records: Iterable[Mapping[str, Any]]) -> set[str]:
        """Golden ids whose members refer to any of ``records`` (children, prices)."""
        keys = {RecordKey(r["source"], r["entity_type"], r["source_id"]).text for r in records}
        if not keys:
            return set()
        found = {r["golden_id"] for r in self.uow.records.referring_to(sorted(keys))}
        for g in self.goldens.values():
            if any(m.get("ref_key") in keys for m in g.members.values()):
                found.add(g.id)
        return found

    def refresh_dependents(self, records: Iterable[Mapping[str, Any]], *, cause: str) -> None:
        """Recompute the golden records that refer to ``records`` after their xrefs moved."""
        ids = self.dependents_of(records)
        if not ids:
            return
        self.load(ids)
        self.resolve_refs()
        for gid in sorted(ids):
            g = self.goldens.get(gid)
            if g is not None and g.status == GoldenStatus.ACTIVE:
                self.recompute(g, cause=cause, membership_changed=False)

    def load(self, golden_ids: Iterable[str], *, lock: bool = True) -> None:
        """Load golden records with their members, locked for update unless ``lock`` is
        False (a read-only preview); skips those already loaded."""
        wanted = [g for g in set(golden_ids) if g not in self.goldens]
        if not wanted:
            return
        rows = self.uow.goldens.for_update(wanted, lock=lock)
        for gid, row in rows.items():
            self.goldens[gid] = GoldenState.from_row(row)
        for rec in self.uow.records.members_of(list(rows)):
            self.goldens[rec["golden_id"]].members[rec["id"]] = rec
            self.xref[RecordKey(rec["source"], rec["entity_type"], rec["source_id"])] = rec[
                "golden_id"
            ]

    def resolve_refs(self, extra: Iterable[str | None] = (), *, members: bool = True) -> None:
        """Fetch the xrefs that ``extra`` references and (unless ``members`` is False)
        every loaded member's reference point at."""
        refs = list(extra)
        for g in self.goldens.values() if members else ():
            refs.extend(rec.get("ref_key") for rec in g.members.values())
        wanted = {key for key in map(RecordKey.parse, filter(None, refs)) if key not in self.xref}
        if wanted:
            for key, rec in self.uow.records.by_keys(sorted(wanted)).items():
                self.xref[RecordKey(*key)] = rec["golden_id"]

    def create(self, entity_type: str) -> GoldenState:
        now = self.uow.clock.now()
        g = GoldenState(
            id=new_id(),
            entity_type=entity_type,
            version=0,
            status=GoldenStatus.ACTIVE,
            merged_into=None,
            attributes={},
            lineage={},
            created_at=now,
            updated_at=now,
            is_new=True,
        )
        self.goldens[g.id] = g
        return g

    # -- changing --------------------------------------------------------------

    def member_view(self, g: GoldenState, rec: Mapping[str, Any]) -> Member:
        return member_of(g.entity_type, rec, self.upcasters, self.xref)

    def move(self, record_id: str, src: GoldenState, dst: GoldenState) -> SourceRecord:
        """Move one member between golden records (in memory; ``moved_rows`` are written)."""
        rec = src.members.pop(record_id)
        rec = rec.copy()
        rec["golden_id"] = dst.id
        dst.members[record_id] = rec
        self.xref[RecordKey(rec["source"], rec["entity_type"], rec["source_id"])] = dst.id
        self.moved_rows[record_id] = {"id": record_id, "golden_id": dst.id}
        return rec

    def record_status_change(self, g: GoldenState, *, cause: str, change: str) -> None:
        """A version for a change of status only (merged away, restored)."""
        self._new_version(g, cause=cause, changed=["status"], change=change)

    def recompute(
        self,
        g: GoldenState,
        *,
        cause: str,
        membership_changed: bool,
        change: str | None = None,
    ) -> bool:
        """Apply survivorship (:func:`~mdm.domain.golden_survival.survived`); record a
        version and an event if anything changed."""
        outcome = survived(g, [self.member_view(g, r) for r in g.members.values()])
        g.derived, g.asserted = {}, {}
        if not outcome.changed and not membership_changed and not g.is_new:
            return False
        g.attributes, g.lineage = outcome.attributes, outcome.lineage
        self._new_version(g, cause=cause, changed=outcome.changed, change=change)
        return True

    def _new_version(
        self, g: GoldenState, *, cause: str, changed: list[str], change: str | None = None
    ) -> None:
        now = self.uow.clock.now()
        g.version += 1
        g.updated_at = now
        g.dirty = True
        version, event = version_and_event(
            g,
            cause=cause,
            changed=changed,
            change=change,
            correlation_id=self.correlation_id,
            now=now,
        )
        self.versions.append(version)
        self.events.append(event)

    # -- writing ---------------------------------------------------------------

    def flush(self) -> None:
        """Write every golden change, version and event of this book to the unit of work
        (events go to the outbox, numbered at commit)."""
        new = [g.row() for g in self.goldens.values() if g.is_new and g.version > 0]
        changed = [g.row() for g in self.goldens.values() if g.dirty and not g.is_new]
        self.uow.goldens.insert(new)
        self.uow.goldens.update(changed)
        self.uow.records.update(list(self.moved_rows.values()))
        self.uow.goldens.insert_versions(self.versions)
        self.uow.outbox.add(self.events)
        for g in self.goldens.values():
            g.is_new = False
            g.dirty = False
        self.versions, self.events, self.moved_rows = [], [], {}

    @property
    def changed_ids(self) -> set[str]:
        """Golden records this book changed (created, linked, recomputed) since its last flush."""
        return {g.id for g in self.goldens.values() if g.dirty}
