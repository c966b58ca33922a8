"""Ingest step *apply decision*: link the new record to its golden record, or give it a
golden record of its own (and, for a doubtful match, a steward task); then
*survivorship* recomputes the golden record it joined."""

from __future__ import annotations

from typing import Any

from canonical.states import IngestAction
from matching.port import Decision
from mdm.domain import candidates
from mdm.domain.golden_state import GoldenState
from mdm.domain.ingest.proposals import hierarchy_proposal
from mdm.domain.ingest.references import refuse_cycle
from mdm.domain.ingest.run import IngestRun, ItemResult, ValidItem
from mdm.domain.record_key import RecordKey
from mdm.domain.tasks import new_task

__all__ = ["apply_decision", "survive"]


def survive(run: IngestRun, g: GoldenState, *, cause: str, membership_changed: bool) -> None:
    """Survivorship: recompute ``g`` from its members (a version + event if it changed)."""
    run.book.recompute(g, cause=cause, membership_changed=membership_changed)


def _linked_golden(run: IngestRun, decision: Decision) -> GoldenState | None:
    """The golden record a ``link`` decision names, loaded in full (and locked) now."""
    chosen = decision.golden_id
    if decision.action != "link" or chosen is None:
        return None
    if chosen not in run.book.goldens:
        run.book.load([chosen])
        linked = run.book.goldens.get(chosen)
        if linked is not None:
            run.book.resolve_refs(
                (m.get("ref_key") for m in linked.members.values()), members=False
            )
    return run.book.goldens.get(chosen)


def apply_decision(
    run: IngestRun, item: ValidItem, result: ItemResult, record: dict[str, Any], decision: Decision
) -> GoldenState | None:
    """Join ``record`` to the decided golden record (or a new one); None when the record
    was refused (a parent that would close a hierarchy loop)."""
    explanation = dict(decision.explanation)
    if decision.golden_id is not None:
        explanation["shared_keys"] = candidates.shared_keys(
            run.keys_of[item.index], run.key_index, decision.golden_id
        )
    g = _linked_golden(run, decision)
    if g is not None:
        if refuse_cycle(run, result, item.source_id, item.record, g.id):
            return None
        action, cause = IngestAction.LINKED, "record_linked"
    else:
        g = run.book.create(run.entity_type)
        action = IngestAction.REVIEW if decision.action == "review" else IngestAction.CREATED
        cause = "record_created"
    record["golden_id"] = g.id
    run.by_sid[item.source_id] = record
    g.members[record["id"]] = record
    run.book.xref[RecordKey(run.source, run.entity_type, item.source_id)] = g.id
    run.new_records[record["id"]] = record
    survive(run, g, cause=cause, membership_changed=True)
    run.decisions.append(_decision_row(run, record, g, decision, explanation))
    if action == IngestAction.REVIEW:
        run.tasks.append(_review_task(run, record, g, decision, explanation))
    proposal = hierarchy_proposal(run, item, record, g, explanation)
    if proposal is not None:
        run.tasks.append(proposal)
    if action == IngestAction.LINKED and explanation.get("also_links"):
        run.tasks.extend(_bridge_tasks(run, record, g, decision, explanation))
    result.action = action
    return g


def _decision_row(
    run: IngestRun,
    record: dict[str, Any],
    g: GoldenState,
    decision: Decision,
    explanation: dict[str, Any],
) -> dict[str, Any]:
    return {
        "entity_type": run.entity_type,
        "record_id": record["id"],
        "golden_id": g.id,
        "action": decision.action,
        "score": decision.score,
        "settings_version": decision.settings_version,
        "explanation": explanation,
        "correlation_id": run.correlation_id,
        "decided_at": run.now,
    }


def _review_task(
    run: IngestRun,
    record: dict[str, Any],
    g: GoldenState,
    decision: Decision,
    explanation: dict[str, Any],
) -> dict[str, Any]:
    conflict = bool(decision.explanation.get("conflicts"))
    return new_task(
        kind="identifier_conflict" if conflict else "match_review",
        entity_type=run.entity_type,
        now=run.now,
        record_id=record["id"],
        golden_id=g.id,
        candidate_golden_id=decision.golden_id,
        score=decision.score,
        settings_version=decision.settings_version,
        source=run.source,
        explanation={**explanation, "other_candidates": list(decision.other_candidates)},
    )


def _bridge_tasks(
    run: IngestRun,
    record: dict[str, Any],
    g: GoldenState,
    decision: Decision,
    explanation: dict[str, Any],
) -> list[dict[str, Any]]:
    """A match review of the golden record ``record`` joined (the incoming side) against
    each other one it also links (no chaining: a steward decides whether the two are one),
    unless that pair is already under review or was ruled not a match."""
    out = []
    for other in explanation["also_links"]:
        gid = other["golden_id"]
        if gid == g.id or run.uow.not_a_match.get(run.entity_type, g.id, gid):
            continue
        if run.uow.tasks.open_pair("match_review", g.id, gid):
            continue
        out.append(
            new_task(
                kind="match_review",
                entity_type=run.entity_type,
                now=run.now,
                record_id=record["id"],
                golden_id=g.id,
                candidate_golden_id=gid,
                score=other["match_probability"],
                settings_version=decision.settings_version,
                source=run.source,
                explanation={
                    **explanation,
                    "candidate": gid,
                    "reason": f"{record['source']} record {record['source_id']} joined {g.id} "
                    f"and also links {gid}: the two golden records may be duplicates",
                    "other_candidates": [],
                },
            )
        )
    return out
