"""The values one ingest passes from step to step.

Each step of :mod:`mdm.domain.ingest` takes the values before it and returns a new one,
so a value exists only once what it holds is known:

- :class:`Intake`: what the ingest knows before it reads anything (whose records, of
  which type, under which schema, matcher and clock);
- :class:`.validate.Validated`: one :class:`ItemResult` per item, the valid items, and
  the quarantine and data-quality rows of the others;
- :class:`.prepare.Prepared`: what exists (the stored records, crosswalk, candidates),
  read under the batch's locks;
- :class:`.decide.Decided`: the batch pass's decision for each new record;
- :class:`.apply.Applied`: the rows the batch makes, written by :func:`.emit.emit`.

An :class:`ItemResult` is completed in place as its item goes through the steps: it is
the answer each item gets, in the items' order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from canonical.schemas import CanonicalSchema
from canonical.states import IngestAction
from matching.port import Matcher
from mdm.domain.golden_state import GoldenState

__all__ = ["Intake", "ItemResult", "ValidItem"]


@dataclass(frozen=True, slots=True)
class Intake:
    """One source's batch of one entity type, before anything is read."""

    matcher: Matcher
    source: str
    entity_type: str
    schema: CanonicalSchema
    correlation_id: str | None
    quarantine_invalid: bool
    now: datetime
    # the source's ISO 3166 alpha-2 region, for national phone numbers (None: no default)
    default_region: str | None = None
    # the source's validation mode is lenient: malformed optional values are left out
    lenient: bool = True


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

    def accept(self, action: IngestAction, g: GoldenState, record: Mapping[str, Any]) -> None:
        self.action = action
        self.golden_id = g.id
        self.golden_version = g.version
        self.record_version = record["version"]


@dataclass(frozen=True, slots=True)
class ValidItem:
    index: int
    source_id: str
    record: dict[str, Any]
