"""Ingest step *decide*: which golden record (if any) each new source record belongs to.

Every new record of the batch is first decided in one scoring pass against the
stored candidates (:func:`decide_batch`), before any of them is applied. Applying
them in order then changes golden records (a record creates one, or joins one),
so a record's batch decision is used only while it still holds, by this rule:

    the record's candidates are the same golden records, in the same order, as in
    the batch pass, and none of them was changed by an earlier record of this batch.

Otherwise the record is decided again against the candidates as they stand now
(:func:`decide`), so a batch decides exactly as the same records sent one by one would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matching.port import Candidate, Decision, MatchExplanation
from mdm.db.uow import UnitOfWork
from mdm.domain import candidates
from mdm.domain.golden_book import GoldenBook
from mdm.domain.ingest.applied import Applying
from mdm.domain.ingest.prepare import Prepared
from mdm.domain.ingest.run import Intake, ValidItem

__all__ = ["Decided", "crosswalk_decision", "decide", "decide_batch"]


@dataclass(frozen=True, slots=True)
class Decided:
    """The batch pass: each new record's candidates then, and the decision on them."""

    found: dict[int, list[Candidate]]
    decisions: dict[int, Decision]

    def still_holds(self, index: int, found: Sequence[Candidate], changed: set[str]) -> bool:
        before = self.found.get(index)
        if before is None or len(before) != len(found):
            return False
        same = all(a.golden_id == b.golden_id for a, b in zip(found, before, strict=True))
        return same and not any(c.golden_id in changed for c in found)


def _candidates(
    book: GoldenBook, prepared: Prepared, key_index: Mapping[str, set[str]], index: int
) -> list[Candidate]:
    """Item ``index``'s candidates as they stand now, best first."""
    return candidates.build(book, prepared.pool, prepared.keys_of[index], key_index)


def decide_batch(intake: Intake, book: GoldenBook, prepared: Prepared) -> Decided:
    """Every fresh record decided in one pass; the golden records it links them to are
    then loaded in full and locked, in one read (a record decided again loads its own)."""
    found = {
        item.index: _candidates(book, prepared, prepared.key_index, item.index)
        for item in prepared.fresh
    }
    requests = [(item.record, found[item.index]) for item in prepared.fresh]
    decided = intake.matcher.decide_many(
        intake.entity_type, requests, default_region=intake.default_region
    )
    out = Decided(found, dict(zip(found, decided, strict=True)))
    linked = {d.golden_id for d in out.decisions.values() if d.action == "link"}
    book.load(g for g in linked if g)
    book.resolve_refs()
    return out


def crosswalk_decision(uow: UnitOfWork, prepared: Prepared, item: ValidItem) -> Decision | None:
    """A record a target created from a golden record (its id is in the crosswalk) joins
    that golden record (or the one it was merged into) without matching."""
    golden_id = prepared.crosswalk.get(item.source_id)
    if golden_id is None:
        return None
    survivor = uow.goldens.survivor_of(golden_id)
    explanation: MatchExplanation = {
        "reason": "crosswalk",
        "source_id": item.source_id,
        "golden_id": golden_id,
    }
    return Decision("link", survivor, None, "crosswalk", explanation)


def decide(state: Applying, item: ValidItem, batch: Decided) -> Decision:
    """The batch decision while it holds (see the module docstring), else a new one."""
    found = _candidates(state.book, state.prepared, state.key_index, item.index)
    if batch.still_holds(item.index, found, state.book.changed_ids):
        return batch.decisions[item.index]
    intake = state.intake
    return intake.matcher.decide(
        intake.entity_type, item.record, found, default_region=intake.default_region
    )
