"""The state of one ingest of a batch, and writing it out (the *emit* step).

Every step of :mod:`mdm.domain.ingest` reads and adds to one :class:`IngestRun`;
nothing is written until :meth:`IngestRun.emit`, which writes source records,
their versions, golden records with versions and outbox events, keys,
decisions, tasks and quarantine rows, all in the run's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from canonical.schemas import CanonicalSchema
from canonical.states import IngestAction
from matching.port import Candidate, Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import GoldenState

__all__ = ["IngestRun", "ItemResult", "ValidItem"]

_UPDATED_COLUMNS = (
    "id",
    "version",
    "payload",
    "payload_hash",
    "schema_version",
    "source_updated_at",
    "received_at",
    "ref_key",
    "match_std",
)


@dataclass(slots=True)
class ItemResult:
    index: int
    source_id: str | None
    status: str  # accepted | rejected
    action: IngestAction | None = None
    golden_id: str | None = None
    golden_version: int | None = None
    record_version: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    quarantine_id: str | None = None
    # accepted without these values (lenient source): each one mapped or left out
    issues: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "source_id": self.source_id}
        if self.status == "accepted":
            accepted = out | {
                "golden_id": self.golden_id,
                "action": self.action,
                "golden_version": self.golden_version,
                "record_version": self.record_version,
            }
            if self.issues:
                accepted |= {"issues": self.issues, "quarantine_id": self.quarantine_id}
            return accepted
        return out | {
            "action": IngestAction.REJECTED,
            "errors": self.errors,
            "quarantine_id": self.quarantine_id,
        }

    def accept(self, action: IngestAction, g: GoldenState, record: dict[str, Any]) -> None:
        self.action = action
        self.golden_id = g.id
        self.golden_version = g.version
        self.record_version = record["version"]


@dataclass(frozen=True, slots=True)
class ValidItem:
    index: int
    source_id: str
    record: dict[str, Any]


@dataclass
class IngestRun:
    """What one ingest of one source's batch of one entity type has done so far."""

    uow: UnitOfWork
    matcher: Matcher
    source: str
    entity_type: str
    schema: CanonicalSchema
    correlation_id: str | None
    quarantine_invalid: bool
    now: datetime
    book: GoldenBook
    # the source's ISO 3166 alpha-2 region, for national phone numbers (None: no default)
    default_region: str | None = None
    # the source's validation mode is lenient: malformed optional values are left out
    lenient: bool = True
    results: list[ItemResult] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    # data-quality issues of accepted records (quarantine rows with status "issue")
    issues: list[dict[str, Any]] = field(default_factory=list)
    keys_of: dict[int, list[str]] = field(default_factory=dict)
    key_index: dict[str, set[str]] = field(default_factory=dict)
    pool: dict[str, Candidate] = field(default_factory=dict)
    # source id -> golden id, for records a target created and now sends back as a source
    crosswalk: dict[str, str] = field(default_factory=dict)
    by_sid: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    new_keys: list[dict[str, Any]] = field(default_factory=list)

    def index_keys(self, index: int, golden_id: str) -> None:
        """The record's keys now also find ``golden_id``."""
        for k in self.keys_of.get(index, ()):
            indexed = self.key_index.setdefault(k, set())
            if golden_id not in indexed:
                indexed.add(golden_id)
                self.new_keys.append(
                    {"entity_type": self.entity_type, "key": k, "golden_id": golden_id}
                )

    def emit(self) -> None:
        """Write everything this run produced, in the run's unit of work."""
        uow = self.uow
        uow.records.insert(list(self.new_records.values()))
        uow.records.update(
            [{k: r[k] for k in _UPDATED_COLUMNS} for r in self.changed_records.values()]
        )
        uow.records.insert_versions(self.versions)
        self.book.flush()
        uow.keys.insert(self.new_keys)
        uow.decisions.insert(self.decisions)
        uow.tasks.insert(self.tasks)
        clean = [
            r.source_id
            for r in self.results
            if r.status == "accepted" and r.source_id and not r.issues
        ]
        if clean:
            uow.quarantine.resolve_records(self.source, self.entity_type, clean, self.now)
        self._keep(self.issues)
        if self.quarantine_invalid:
            self._keep(self.quarantine)

    def _keep(self, rows: list[dict[str, Any]]) -> None:
        """Write quarantine ``rows``; results name the entry that holds each (an entry of
        the same payload already kept counts it instead of a new one)."""
        if not rows:
            return
        held = self.uow.quarantine.add(rows)
        by_id = {q["id"]: held.get(q["fingerprint"], q["id"]) for q in rows}
        for result in self.results:
            if result.quarantine_id in by_id:
                result.quarantine_id = by_id[result.quarantine_id]
