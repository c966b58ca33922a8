"""Ingest step *decide*: which golden record (if any) each new source record belongs to.

Every new record of the batch is first decided in one scoring pass against the
stored candidates (:func:`decide_batch`), before any of them is applied. Applying
them in order then changes golden records (a record creates one, or joins one),
so a record's batch decision is used only while it still holds, by this rule:

    the record's candidates are the same golden records, in the same order, as in
    the batch pass, and none of them was changed by an earlier record of this batch.

Otherwise the record is decided again against the candidates as they stand now,
so a batch decides exactly as the same records sent one by one would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matching.port import Candidate, Decision, MatchExplanation
from mdm.domain import candidates
from mdm.domain.ingest.run import IngestRun, ValidItem

__all__ = ["BatchDecisions", "crosswalk_decision", "decide", "decide_batch", "find_candidates"]


@dataclass(frozen=True, slots=True)
class BatchDecisions:
    """The batch pass: each new record's candidates then, and the decision on them."""

    found: dict[int, list[Candidate]]
    decisions: dict[int, Decision]

    def still_holds(self, index: int, found: Sequence[Candidate], changed: set[str]) -> bool:
        before = self.found.get(index)
        if before is None or len(before) != len(found):
            return False
        same = all(a.golden_id == b.golden_id for a, b in zip(found, before, strict=True))
        return same and not any(c.golden_id in changed for c in found)


def find_candidates(run: IngestRun, index: int) -> list[Candidate]:
    """The record's candidates as they stand now, best first."""
    return candidates.build(run.book, run.pool, run.keys_of[index], run.key_index)


def decide_batch(run: IngestRun, fresh: Sequence[ValidItem]) -> BatchDecisions:
    found = {item.index: find_candidates(run, item.index) for item in fresh}
    requests = [(item.record, found[item.index]) for item in fresh]
    decided = run.matcher.decide_many(run.entity_type, requests, default_region=run.default_region)
    return BatchDecisions(found, dict(zip(found, decided, strict=True)))


def crosswalk_decision(run: IngestRun, item: ValidItem) -> Decision | None:
    """A record a target created from a golden record (its id is in the crosswalk) joins
    that golden record (or the one it was merged into) without matching."""
    golden_id = run.crosswalk.get(item.source_id)
    if golden_id is None:
        return None
    survivor = run.uow.goldens.survivor_of(golden_id)
    explanation: MatchExplanation = {
        "reason": "crosswalk",
        "source_id": item.source_id,
        "golden_id": golden_id,
    }
    return Decision("link", survivor, None, "crosswalk", explanation)


def decide(run: IngestRun, item: ValidItem, batch: BatchDecisions) -> Decision:
    """The batch decision while it holds (see the module docstring), else a new one."""
    found = find_candidates(run, item.index)
    if batch.still_holds(item.index, found, run.book.changed_ids):
        return batch.decisions[item.index]
    return run.matcher.decide(
        run.entity_type, item.record, found, default_region=run.default_region
    )
