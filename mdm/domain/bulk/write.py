"""Initial load, step *write*: a plan's clusters become golden records, in one unit of work.

What is written is what ingest writes for the same records (:meth:`IngestRun.emit`):
source records and their first versions, one golden record per cluster with
survivorship, lineage and its first version (:class:`GoldenBook`), one outbox event
per golden record, the key index, a match decision per record with its explanation,
a review task per doubtful pair of clusters, parent-disagreement tasks, quarantine
rows and data-quality issues, and, for customers, parked events linked. A record
loaded so cannot be told from one that came through ``PUT``, except that a golden
record of several members starts at version 1 (ingest would have made a version per
member). Everything is written in the caller's transaction: a load that stops leaves
no record of the entity type behind.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np

from canonical.errors import Conflict
from canonical.states import IngestAction
from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain.bulk.plan import BulkPlan, SourcePart
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import new_id
from mdm.domain.ingest.proposals import proposal_task
from mdm.domain.ingest.references import parent_disagreements
from mdm.domain.ingest.run import ValidItem
from mdm.domain.ingest.store import version_row
from mdm.domain.record_key import RecordKey
from mdm.domain.tasks import new_task
from mdm.domain.transactional.linking import link_new_records

__all__ = ["refuse_if_loaded", "write"]


def refuse_if_loaded(uow: UnitOfWork, entity_type: str) -> None:
    """An initial load starts from no records of its entity type."""
    held = uow.records.count_of(entity_type)
    if held:
        raise Conflict(
            f"the hub already holds {held} {entity_type} records: an initial load starts "
            f"from none. Load more files with `mdm load FILE --source S --entity "
            f"{entity_type}`, or re-decide what is loaded with `mdm matching rematch "
            f"--entity {entity_type}`"
        )


Rows = list[tuple[SourcePart, SourceRecord, list[str], int]]
"""Every record of the plan with its source part, blocking keys and place in the part,
in plan row order."""


BULK_TABLES = (
    "source_record",
    "source_record_version",
    "golden_record",
    "golden_version",
    "match_key",
    "match_decision",
    "outbox",
)
"""Tables that take rows for every record or golden record of a load: on SQLite their
secondary indexes are built after the rows (:mod:`mdm.db.bulk`), none of the load's own
reads needing them (references resolve by the unique source key)."""


CHUNK_GOLDENS = 20_000
"""Golden records built and written per step: their states, versions and events are
dropped once written, so memory holds one step's, not the whole load's."""


def write(uow: UnitOfWork, plan: BulkPlan, *, correlation_id: str) -> Counter[str]:
    """Write ``plan`` (refused if records of its type exist); counts per action."""
    refuse_if_loaded(uow, plan.entity_type)
    rows = plan.rows
    clusters: dict[int, list[int]] = {}
    for row, label in enumerate(plan.labels.tolist()):
        clusters.setdefault(label, []).append(row)
    # every record's xref before any survivorship: a parent in a later step resolves
    xref: dict[RecordKey, str] = {}
    members = list(clusters.values())
    for group in members:
        golden_id = new_id()
        for row in group:
            record = rows[row][1]
            # ids in the order the rows are written, so each id-keyed index is appended to
            record["id"], record["golden_id"] = new_id(), golden_id
            xref[RecordKey(record["source"], record["entity_type"], record["source_id"])] = (
                golden_id
            )
    counts = _results(plan, rows)
    tasks: list[dict[str, Any]] = []
    with uow.indexes_built_after(BULK_TABLES):
        for start in range(0, len(members), CHUNK_GOLDENS):
            step = members[start : start + CHUNK_GOLDENS]
            tasks += _write_step(uow, plan, rows, step, xref, correlation_id)
        _key_index(uow, plan, rows)
    tasks += _review_tasks(plan, rows, uow.clock.now())
    tasks += _proposals(plan, rows, uow.clock.now())
    uow.tasks.insert(tasks)
    _quarantine(uow, plan.parts)
    counts["review_tasks"] = sum(t["kind"] == "match_review" for t in tasks)
    counts["golden_records"] = len(members)
    return counts


def _write_step(
    uow: UnitOfWork,
    plan: BulkPlan,
    rows: Rows,
    step: list[list[int]],
    xref: dict[RecordKey, str],
    cid: str,
) -> list[dict[str, Any]]:
    """Build and write the golden records of ``step`` (each a list of plan rows) and their
    records' rows; returns the parent-disagreement tasks they open."""
    book = GoldenBook(uow, correlation_id=cid)
    book.xref = xref
    goldens = []
    for group in step:
        g = book.create(plan.entity_type)
        del book.goldens[g.id]
        g.id = rows[group[0]][1]["golden_id"]
        book.goldens[g.id] = g
        for row in group:
            g.members[rows[row][1]["id"]] = rows[row][1]
        goldens.append(g)
    mine = [row for group in step for row in group]
    book.resolve_refs(rows[row][1]["ref_key"] for row in mine)
    for g in goldens:
        book.recompute(g, cause="record_created", membership_changed=True)
    uow.records.insert([rows[row][1] for row in mine])
    uow.records.insert_versions([_first_version(rows[row][0], rows[row][1]) for row in mine])
    uow.decisions.insert(_decisions(plan, rows, mine, cid, uow.clock.now()))
    tasks = _disagreements(book, plan)
    if plan.entity_type == "customer":
        by_source: dict[str, list[SourceRecord]] = {}
        for row in mine:
            by_source.setdefault(rows[row][1]["source"], []).append(rows[row][1])
        for source, records in by_source.items():
            link_new_records(uow, book, source, records)
    book.flush()
    # numbered and written now, not at the commit: the counter's row lock, held to the
    # commit, keeps them in commit order, and a million events are not held in memory
    uow.outbox.flush()
    return tasks


def _key_index(uow: UnitOfWork, plan: BulkPlan, rows: Rows) -> None:
    """Every record's blocking keys under its golden record, written once in key order
    (:meth:`KeyIndex.load`): sorted step by step, a million records' keys still landed
    on pages all over the index."""
    keys = [k for _, _, ks, _ in rows for k in ks]
    owner = np.repeat(np.arange(len(rows)), [len(ks) for _, _, ks, _ in rows]).tolist()
    order = sorted(range(len(keys)), key=keys.__getitem__)
    uow.keys.load(plan.entity_type, ((keys[i], rows[owner[i]][1]["golden_id"]) for i in order))


def _results(plan: BulkPlan, rows: Rows) -> Counter[str]:
    """Each accepted item's result names its golden record; counts per action."""
    counts: Counter[str] = Counter()
    first: set[str] = set()
    reported: set[str] = set()
    by_sid = {(p.intake.source, r["source_id"]): r for p, r, _, _ in rows}
    for part in plan.parts:
        for result in part.results:
            record = by_sid.get((part.intake.source, result.source_id or ""))
            if result.status != "accepted" or record is None:
                counts["rejected"] += 1
                continue
            if record["id"] in reported:
                action = IngestAction.UPDATED  # a file naming one record twice: its last row stands
            else:
                action = (
                    IngestAction.LINKED if record["golden_id"] in first else IngestAction.CREATED
                )
            reported.add(record["id"])
            first.add(record["golden_id"])
            result.action, result.golden_id = action, record["golden_id"]
            result.golden_version, result.record_version = 1, 1
            counts[action] += 1
            counts["with_issues"] += bool(result.issues)
    return counts


def _first_version(part: SourcePart, record: SourceRecord) -> dict[str, Any]:
    item = ValidItem(-1, record["source_id"], record["payload"])
    return version_row(part.intake, record, item)


def _decisions(
    plan: BulkPlan, rows: Rows, mine: list[int], cid: str, now: datetime
) -> list[dict[str, Any]]:
    """A match decision per record of ``mine``: ``new`` for the first of its cluster,
    ``link`` with the explanation of its strongest link for the others."""
    partner = plan.partner
    explanations = plan.explain(mine)
    out = []
    for row in mine:
        record, keys = rows[row][1], rows[row][2]
        why = explanations.get(row)
        if why is None:
            action, score = "new", None
            explanation: dict[str, Any] = {
                "entity_type": plan.entity_type,
                "reason": "initial load: the first record of its cluster",
            }
        else:
            other = rows[int(partner[row])]
            action, score = "link", why["match_probability"]
            explanation = {
                "entity_type": plan.entity_type,
                "reason": "initial load: linked by the batch clustering",
                "candidate": record["golden_id"],
                "compared_with": other[1]["id"],
                **why,
                "shared_keys": sorted(set(keys) & set(other[2])),
            }
        out.append(
            {
                "entity_type": plan.entity_type,
                "record_id": record["id"],
                "golden_id": record["golden_id"],
                "action": action,
                "score": score,
                "settings_version": plan.settings_version or "none",
                "explanation": explanation,
                "correlation_id": cid,
                "decided_at": now,
            }
        )
    return out


def _review_tasks(plan: BulkPlan, rows: Rows, now: datetime) -> list[dict[str, Any]]:
    """A match review per doubtful pair of clusters: the later record's golden record
    against the earlier one's, as ingest would have asked when the later one arrived."""
    tasks = []
    for left, right, prob, why in plan.review:
        earlier, later = rows[left][1], rows[right][1]
        explanation = {
            "entity_type": plan.entity_type,
            "reason": "between the review and link thresholds",
            "candidate": earlier["golden_id"],
            "compared_with": earlier["id"],
            **why,
            "other_candidates": [],
        }
        tasks.append(
            new_task(
                kind="match_review",
                entity_type=plan.entity_type,
                now=now,
                record_id=later["id"],
                golden_id=later["golden_id"],
                candidate_golden_id=earlier["golden_id"],
                score=prob,
                settings_version=plan.settings_version,
                source=later["source"],
                explanation=explanation,
            )
        )
    return tasks


def _proposals(plan: BulkPlan, rows: Rows, now: datetime) -> list[dict[str, Any]]:
    """A proposed hierarchy link per organisation kept apart from one of its group (the
    later record's golden record under the earlier one's), unless its source names a
    parent: what ingest proposes when the later record arrives."""
    out = []
    for later_row, earlier_row, reasons in plan.related:
        later, earlier = rows[later_row][1], rows[earlier_row][1]
        if (later.get("payload") or {}).get("parent"):
            continue
        out.append(
            proposal_task(
                entity_type=plan.entity_type,
                now=now,
                child=later["golden_id"],
                parent=earlier["golden_id"],
                party={"reasons": reasons, "match_probability": None},
                record_id=later["id"],
                source=later["source"],
                settings_version=plan.settings_version,
            )
        )
    return out


def _disagreements(book: GoldenBook, plan: BulkPlan) -> list[dict[str, Any]]:
    """Parent-disagreement tasks, as ingest opens them."""
    if not plan.parts:
        return []
    return parent_disagreements(book, plan.entity_type, plan.parts[0].intake.now)


def _quarantine(uow: UnitOfWork, parts: list[SourcePart]) -> None:
    """Rejected items and data-quality issues, kept as the API keeps them (an entry of
    the same payload already kept counts it instead, and the result names that one)."""
    for part in parts:
        rows = part.issues + part.quarantine
        held = uow.quarantine.add(rows)
        printed = {q["id"]: q["fingerprint"] for q in rows}
        for result in part.results:
            fingerprint = printed.get(result.quarantine_id or "")
            if fingerprint is not None:
                result.quarantine_id = held.get(fingerprint, result.quarantine_id)
