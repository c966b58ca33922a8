"""Ingest step *apply*: each valid item in order becomes a known record's next version
(:mod:`.store`) or a new record joined to its decided golden record, or given one of its
own (and, for a doubtful match, a steward task); then *survivorship* recomputes the
golden record it changed. At the end, records waiting for one of these resolve their
references, and parked events link."""

from __future__ import annotations

from typing import Any

from canonical.states import IngestAction
from matching.port import Decision
from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain import candidates
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import GoldenState
from mdm.domain.ingest import store
from mdm.domain.ingest.applied import Applied, Applying
from mdm.domain.ingest.decide import Decided, crosswalk_decision, decide
from mdm.domain.ingest.prepare import Prepared
from mdm.domain.ingest.proposals import hierarchy_proposal
from mdm.domain.ingest.references import parent_disagreements, refuse_cycle
from mdm.domain.ingest.run import Intake, ItemResult, ValidItem
from mdm.domain.ingest.validate import Validated
from mdm.domain.record_key import RecordKey
from mdm.domain.tasks import new_task
from mdm.domain.transactional.linking import link_new_records

__all__ = ["apply_all"]


def apply_all(
    uow: UnitOfWork,
    book: GoldenBook,
    intake: Intake,
    validated: Validated,
    prepared: Prepared,
    batch: Decided,
) -> Applied:
    """Every valid item applied in order; completes each one's result."""
    state = Applying(uow, book, intake, prepared)
    for item in prepared.valid:
        _take_in(state, validated.results[item.index], item, batch)
    # children waiting for a parent, prices waiting for a product, now resolve
    book.refresh_dependents(state.new_records.values(), cause="reference_resolved")
    state.tasks.extend(parent_disagreements(book, intake.entity_type, intake.now))
    if intake.entity_type == "customer":
        # events parked for these customers link now (their keys are locked when prepared)
        link_new_records(uow, book, intake.source, state.new_records.values())
    return state.applied()


def _take_in(state: Applying, result: ItemResult, item: ValidItem, batch: Decided) -> None:
    """One valid item: a known record's next version, or a new record's decision."""
    book, intake = state.book, state.intake
    current = state.by_sid.get(item.source_id)
    if current is not None:
        g = book.goldens[current["golden_id"]]
        arrival = store.arrival(current, item)
        if arrival != "new_version":
            result.accept(arrival, g, current)
            return
        if refuse_cycle(state, result, item.source_id, item.record, g.id):
            return
        record = store.next_version(intake, current, item)
        state.by_sid[item.source_id] = record
        g.members[record["id"]] = record
        new = record["id"] in state.new_records
        (state.new_records if new else state.changed_records)[record["id"]] = record
        book.recompute(g, cause="source_updated", membership_changed=False)
        action = IngestAction.UPDATED
    else:
        record = store.new_record(intake, item)
        decision = crosswalk_decision(state.uow, state.prepared, item) or decide(state, item, batch)
        linked = _apply_decision(state, item, result, record, decision)
        if linked is None:
            return
        g, action = linked, result.action or IngestAction.CREATED
    state.index_keys(item.index, g.id)
    state.versions.append(store.version_row(intake, record, item))
    result.accept(action, g, record)


def _linked_golden(book: GoldenBook, decision: Decision) -> GoldenState | None:
    """The golden record a ``link`` decision names, loaded in full (and locked) now."""
    chosen = decision.golden_id
    if decision.action != "link" or chosen is None:
        return None
    if chosen not in book.goldens:
        book.load([chosen])
        linked = book.goldens.get(chosen)
        if linked is not None:
            book.resolve_refs((m.get("ref_key") for m in linked.members.values()), members=False)
    return book.goldens.get(chosen)


def _apply_decision(
    state: Applying,
    item: ValidItem,
    result: ItemResult,
    record: SourceRecord,
    decision: Decision,
) -> GoldenState | None:
    """Join ``record`` to the decided golden record (or a new one); None when the record
    was refused (a parent that would close a hierarchy loop)."""
    book, intake = state.book, state.intake
    explanation = dict(decision.explanation)
    if decision.golden_id is not None:
        explanation["shared_keys"] = candidates.shared_keys(
            state.prepared.keys_of[item.index], state.key_index, decision.golden_id
        )
    g = _linked_golden(book, decision)
    if g is not None:
        if refuse_cycle(state, result, item.source_id, item.record, g.id):
            return None
        action, cause = IngestAction.LINKED, "record_linked"
    else:
        g = book.create(intake.entity_type)
        action = IngestAction.REVIEW if decision.action == "review" else IngestAction.CREATED
        cause = "record_created"
    record["golden_id"] = g.id
    state.by_sid[item.source_id] = record
    g.members[record["id"]] = record
    book.xref[RecordKey(intake.source, intake.entity_type, item.source_id)] = g.id
    state.new_records[record["id"]] = record
    book.recompute(g, cause=cause, membership_changed=True)
    state.decisions.append(_decision_row(intake, record, g, decision, explanation))
    if action == IngestAction.REVIEW:
        state.tasks.append(_review_task(intake, record, g, decision, explanation))
    proposal = hierarchy_proposal(state.uow, intake, item, record, g, explanation)
    if proposal is not None:
        state.tasks.append(proposal)
    if action == IngestAction.LINKED and explanation.get("also_links"):
        state.tasks.extend(_bridge_tasks(state.uow, intake, record, g, decision, explanation))
    result.action = action
    return g


def _decision_row(
    intake: Intake,
    record: SourceRecord,
    g: GoldenState,
    decision: Decision,
    explanation: dict[str, Any],
) -> dict[str, Any]:
    return {
        "entity_type": intake.entity_type,
        "record_id": record["id"],
        "golden_id": g.id,
        "action": decision.action,
        "score": decision.score,
        "settings_version": decision.settings_version,
        "explanation": explanation,
        "correlation_id": intake.correlation_id,
        "decided_at": intake.now,
    }


def _review_task(
    intake: Intake,
    record: SourceRecord,
    g: GoldenState,
    decision: Decision,
    explanation: dict[str, Any],
) -> dict[str, Any]:
    conflict = bool(decision.explanation.get("conflicts"))
    return new_task(
        kind="identifier_conflict" if conflict else "match_review",
        entity_type=intake.entity_type,
        now=intake.now,
        record_id=record["id"],
        golden_id=g.id,
        candidate_golden_id=decision.golden_id,
        score=decision.score,
        settings_version=decision.settings_version,
        source=intake.source,
        explanation={**explanation, "other_candidates": list(decision.other_candidates)},
    )


def _bridge_tasks(
    uow: UnitOfWork,
    intake: Intake,
    record: SourceRecord,
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
        if gid == g.id or uow.not_a_match.get(intake.entity_type, g.id, gid):
            continue
        if uow.tasks.open_pair("match_review", g.id, gid):
            continue
        out.append(
            new_task(
                kind="match_review",
                entity_type=intake.entity_type,
                now=intake.now,
                record_id=record["id"],
                golden_id=g.id,
                candidate_golden_id=gid,
                score=other["match_probability"],
                settings_version=decision.settings_version,
                source=intake.source,
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
