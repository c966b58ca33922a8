"""What applying a batch's items makes: :class:`Applying` while the items are applied in
order (each sees the golden records, keys and records the earlier ones changed), and
:class:`Applied`, the rows it leaves for :func:`.emit.emit` to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.ingest.prepare import Prepared
from mdm.domain.ingest.run import Intake

__all__ = ["Applied", "Applying"]


@dataclass(frozen=True, slots=True)
class Applied:
    """The source records, versions, keys, decisions, tasks and refused items' quarantine
    rows one batch makes (golden records and their events are in the batch's book)."""

    new_records: dict[str, SourceRecord]  # record id -> a source record seen first now
    changed_records: dict[str, SourceRecord]  # record id -> a stored record's next version
    versions: list[dict[str, Any]]
    new_keys: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]  # items refused while applied (a hierarchy loop)

    @classmethod
    def nothing(cls) -> Applied:
        """What a batch with no valid item makes."""
        return cls({}, {}, [], [], [], [], [])


@dataclass(slots=True)
class Applying:
    """The apply step's working state: every field is valid from the start and grows as
    items are applied."""

    uow: UnitOfWork
    book: GoldenBook
    intake: Intake
    prepared: Prepared
    by_sid: dict[str, SourceRecord] = field(init=False)  # source id -> record as it stands
    key_index: dict[str, set[str]] = field(init=False)  # the prepared index, plus new keys
    new_records: dict[str, SourceRecord] = field(default_factory=dict)
    changed_records: dict[str, SourceRecord] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    new_keys: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_sid = dict(self.prepared.existing)
        self.key_index = dict(self.prepared.key_index)

    def index_keys(self, index: int, golden_id: str) -> None:
        """The keys of item ``index`` now also find ``golden_id`` (for the items after it,
        and written as new key rows)."""
        for k in self.prepared.keys_of.get(index, ()):
            indexed = self.key_index.get(k, set())
            if golden_id not in indexed:
                # a new set: the prepared index stays as it was read
                self.key_index[k] = indexed | {golden_id}
                self.new_keys.append(
                    {"entity_type": self.intake.entity_type, "key": k, "golden_id": golden_id}
                )

    def applied(self) -> Applied:
        return Applied(
            self.new_records,
            self.changed_records,
            self.versions,
            self.new_keys,
            self.decisions,
            self.tasks,
            self.quarantine,
        )
