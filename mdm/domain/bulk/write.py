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
from typing import Any

from canonical.errors import Conflict
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork
from mdm.domain.bulk.plan import BulkPlan, SourcePart
from mdm.domain.golden_book import GoldenBook, GoldenState, record_key
from mdm.domain.ingest.references import parent_disagreements
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


Rows = list[tuple[SourcePart, dict[str, Any], list[str]]]
"""Every record of the plan with its source part and blocking keys, in plan row order."""


def write(uow: UnitOfWork, plan: BulkPlan, *, correlation_id: str) -> Counter[str]:
    """Write ``plan`` (refused if records of its type exist); counts per action."""
    refuse_if_loaded(uow, plan.entity_type)
    book = GoldenBook(uow, correlation_id=correlation_id)
    rows = plan.rows
    goldens = _assign(book, plan, rows)
    book.resolve_refs(r["ref_key"] for _, r, _ in rows)
    for g in goldens:
        book.recompute(g, cause="record_created", membership_changed=True)
    counts = _results(plan, rows)
    uow.records.insert([r for _, r, _ in rows])
    uow.records.insert_versions([v for p in plan.parts for v in p.versions])
    uow.keys.insert(
        [
            {"entity_type": plan.entity_type, "key": k, "golden_id": r["golden_id"]}
            for _, r, keys in rows
            for k in keys
        ]
    )
    uow.decisions.insert(_decisions(plan, rows, correlation_id))
    tasks = _review_tasks(plan, rows) + _disagreements(book, plan)
    uow.tasks.insert(tasks)
    _quarantine(uow, plan.parts)
    if plan.entity_type == "customer":
        for part in plan.parts:
            link_new_records(uow, book, part.run.source, part.records)
    book.flush()
    counts["review_tasks"] = len(tasks)
    counts["golden_records"] = len(goldens)
    return counts


def _assign(book: GoldenBook, plan: BulkPlan, rows: Rows) -> list[GoldenState]:
    """A golden record per cluster, its members in file order."""
    labels = plan.labels.tolist()
    by_label: dict[int, GoldenState] = {}
    for label, (_, record, _) in zip(labels, rows, strict=True):
        g = by_label.get(label)
        if g is None:
            g = by_label[label] = book.create(plan.entity_type)
        record["golden_id"] = g.id
        g.members[record["id"]] = record
        book.xref[record_key(record["source"], record["entity_type"], record["source_id"])] = g.id
    return list(by_label.values())


def _results(plan: BulkPlan, rows: Rows) -> Counter[str]:
    """Each accepted item's result names its golden record; counts per action."""
    counts: Counter[str] = Counter()
    first: set[str] = set()
    reported: set[str] = set()
    by_sid = {(p.run.source, r["source_id"]): r for p, r, _ in rows}
    for part in plan.parts:
        for result in part.run.results:
            record = by_sid.get((part.run.source, result.source_id or ""))
            if result.status != "accepted" or record is None:
                counts["rejected"] += 1
                continue
            if record["id"] in reported:
                action = "updated"  # a file naming one record twice: its last row stands
            else:
                action = "linked" if record["golden_id"] in first else "created"
            reported.add(record["id"])
            first.add(record["golden_id"])
            result.action, result.golden_id = action, record["golden_id"]
            result.golden_version, result.record_version = 1, 1
            counts[action] += 1
            counts["with_issues"] += bool(result.issues)
    return counts


def _decisions(plan: BulkPlan, rows: Rows, cid: str) -> list[dict[str, Any]]:
    """A match decision per record: ``new`` for the first of its cluster, ``link`` with
    the explanation of its strongest link for the others."""
    now = utcnow()
    partner = plan.partner
    out = []
    for row, (_, record, keys) in enumerate(rows):
        why = plan.explanations.get(row)
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


def _review_tasks(plan: BulkPlan, rows: Rows) -> list[dict[str, Any]]:
    """A match review per doubtful pair of clusters: the later record's golden record
    against the earlier one's, as ingest would have asked when the later one arrived."""
    now = utcnow()
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


def _disagreements(book: GoldenBook, plan: BulkPlan) -> list[dict[str, Any]]:
    """Parent-disagreement tasks, as ingest opens them (it reads the run's book)."""
    if plan.entity_type != "customer" or not plan.parts:
        return []
    run = plan.parts[0].run
    run.book, run.uow = book, book.uow
    return parent_disagreements(run)


def _quarantine(uow: UnitOfWork, parts: list[SourcePart]) -> None:
    """Rejected items and data-quality issues, kept as the API keeps them (an entry of
    the same payload already kept counts it instead, and the result names that one)."""
    for part in parts:
        rows = part.run.issues + part.run.quarantine
        held = uow.quarantine.add(rows)
        printed = {q["id"]: q["fingerprint"] for q in rows}
        for result in part.run.results:
            fingerprint = printed.get(result.quarantine_id or "")
            if fingerprint is not None:
                result.quarantine_id = held.get(fingerprint, result.quarantine_id)
