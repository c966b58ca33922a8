"""Use case core: take source records in (one, a batch, or a bulk file's chunk).

In one unit of work, step by step (one module each):

1. *validate* (:mod:`.validate`) every item against the newest registered canonical
   schema (:func:`mdm.domain.schemas.current_schema`, live in every process); invalid
   ones are reported with every error and kept in quarantine;
2. lock the records' and identities' keys, load what exists (:func:`_prepare`);
3. per item, in order: *store version* (:mod:`.store`: unchanged, stale or a new
   version) or, for a new record, *decide* (:mod:`.decide`) and *apply the
   decision* (:mod:`.apply`: link, review or new golden record), each followed by
   *survivorship*; *resolve references* (:mod:`.references`) refuses parents
   that would close a loop and, at the end, lets waiting children and prices
   resolve and opens parent-disagreement tasks;
4. *emit* (:meth:`.run.IngestRun.emit`): source versions, golden versions,
   decisions, tasks and outbox events, written together.
"""

from __future__ import annotations

from canonical.commands import IngestRecords
from canonical.errors import UnknownSource
from canonical.states import IngestAction
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain import candidates
from mdm.domain.golden_book import GoldenBook, ref_key_of
from mdm.domain.ingest import store
from mdm.domain.ingest.apply import apply_decision, survive
from mdm.domain.ingest.decide import BatchDecisions, crosswalk_decision, decide, decide_batch
from mdm.domain.ingest.references import parent_disagreements, refuse_cycle
from mdm.domain.ingest.run import IngestRun, ItemResult, ValidItem
from mdm.domain.ingest.validate import validate
from mdm.domain.record_key import RecordKey
from mdm.domain.schemas import current_schema
from mdm.domain.transactional.linking import link_new_records

__all__ = ["ItemResult", "ingest"]


def ingest(uow: UnitOfWork, matcher: Matcher, cmd: IngestRecords) -> list[ItemResult]:
    """Ingest ``cmd.items`` of one source and entity type; one result per item, in order."""
    schema = current_schema(uow, cmd.entity_type)
    if not uow.sources.exists(cmd.source):
        raise UnknownSource(f"unknown source '{cmd.source}'; register it first")
    run = IngestRun(
        uow=uow,
        matcher=matcher,
        source=cmd.source,
        entity_type=cmd.entity_type,
        schema=schema,
        correlation_id=cmd.correlation_id,
        quarantine_invalid=cmd.quarantine_invalid,
        now=uow.clock.now(),
        book=GoldenBook(uow, correlation_id=cmd.correlation_id),
        default_region=uow.sources.default_region(cmd.source),
        lenient=uow.sources.validation(cmd.source) == "lenient",
    )
    valid = validate(run, cmd.items)
    if valid:
        batch = _prepare(run, valid)
        for item in valid:
            _take_in(run, item, batch)
        # children waiting for a parent, prices waiting for a product, now resolve
        run.book.refresh_dependents(run.new_records.values(), cause="reference_resolved")
        run.tasks.extend(parent_disagreements(run))
        if run.entity_type == "customer":
            # events parked for these customers link now (their keys are locked above)
            link_new_records(run.uow, run.book, run.source, run.new_records.values())
    run.emit()
    return run.results


def _prepare(run: IngestRun, valid: list[ValidItem]) -> BatchDecisions:
    """Lock, then load the existing records, the candidates of new ones and the xrefs
    references need; decide every new record in one batch pass."""
    uow, entity_type = run.uow, run.entity_type
    region = run.default_region
    run.keys_of = {
        item.index: run.matcher.keys(entity_type, item.record, default_region=region)
        for item in valid
    }
    uow.locks.lock_keys(
        [RecordKey(run.source, entity_type, item.source_id).text for item in valid]
        + [f"{entity_type}|{k}" for ks in run.keys_of.values() for k in ks]
    )
    existing = uow.records.by_source_ids(
        run.source, entity_type, [item.source_id for item in valid]
    )
    run.by_sid = dict(existing)
    run.crosswalk = uow.crosswalk.golden_for(
        run.source,
        entity_type,
        [item.source_id for item in valid if item.source_id not in existing],
    )
    fresh = [i for i in valid if i.source_id not in existing and i.source_id not in run.crosswalk]
    run.key_index = candidates.lookup(
        uow, entity_type, {k for i in fresh for k in run.keys_of[i.index]}
    )
    run.book.load({r["golden_id"] for r in existing.values()})
    # candidates are read light (attributes and member payloads); the one a record
    # links to is loaded in full, and locked, only then
    shortlist = candidates.shortlist((run.keys_of[i.index] for i in fresh), run.key_index)
    run.pool = candidates.read_pool(uow, shortlist)
    run.book.resolve_refs(ref_key_of(entity_type, run.source, item.record) for item in valid)
    batch = decide_batch(run, fresh)
    # the golden records the batch pass links to, loaded in full and locked in one read
    # (not one per record when each is applied; a record decided again loads its own)
    linked = {d.golden_id for d in batch.decisions.values() if d.action == "link"}
    run.book.load(g for g in linked if g)
    run.book.resolve_refs()
    return batch


def _take_in(run: IngestRun, item: ValidItem, batch: BatchDecisions) -> None:
    """One valid item: a known record's next version, or a new record's decision."""
    result = run.results[item.index]
    current = run.by_sid.get(item.source_id)
    if current is not None:
        g = run.book.goldens[current["golden_id"]]
        arrival = store.arrival(current, item)
        if arrival != "new_version":
            result.accept(arrival, g, current)
            return
        if refuse_cycle(run, result, item.source_id, item.record, g.id):
            return
        record = store.next_version(run, current, item)
        run.by_sid[item.source_id] = record
        g.members[record["id"]] = record
        target = run.new_records if record["id"] in run.new_records else run.changed_records
        target[record["id"]] = record
        survive(run, g, cause="source_updated", membership_changed=False)
        action = IngestAction.UPDATED
    else:
        record = store.new_record(run, item)
        decision = crosswalk_decision(run, item) or decide(run, item, batch)
        linked = apply_decision(run, item, result, record, decision)
        if linked is None:
            return
        g, action = linked, result.action or IngestAction.CREATED
    run.index_keys(item.index, g.id)
    run.versions.append(store.version_row(run, record, item))
    result.accept(action, g, record)
