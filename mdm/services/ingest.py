"""Use case: take source records in (one, a batch, or a bulk file's chunk).

Flow, in one transaction: validate each item against the canonical schema
(invalid ones go to quarantine with every error) -> lock the record and
identity keys -> load existing source records, candidate golden records and
their members -> per item, in order: unchanged / stale / new version, then
match (link, review or new golden record) -> survivorship -> write source
versions, golden versions, decisions, tasks and outbox events together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from canonical.errors import FieldError, UnknownSource
from canonical.schemas import schema_for
from matching.port import Candidate, Matcher
from mdm.db.types import utcnow
from mdm.services import candidates
from mdm.services.golden import GoldenBook, GoldenState, new_id, record_key, ref_key_of
from mdm.services.uow import UnitOfWork

__all__ = ["IngestItem", "ItemResult", "ingest_records"]

_MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class IngestItem:
    source_id: Any
    record: Any


@dataclass(slots=True)
class ItemResult:
    index: int
    source_id: str | None
    status: str  # accepted | rejected
    action: str | None = None
    golden_id: str | None = None
    golden_version: int | None = None
    record_version: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    quarantine_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "source_id": self.source_id}
        if self.status == "accepted":
            out |= {
                "golden_id": self.golden_id,
                "action": self.action,
                "golden_version": self.golden_version,
                "record_version": self.record_version,
            }
        else:
            out |= {
                "action": "rejected",
                "errors": self.errors,
                "quarantine_id": self.quarantine_id,
            }
        return out


def payload_hash(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "source_updated_at"}
    return hashlib.blake2b(
        orjson.dumps(body, option=orjson.OPT_SORT_KEYS), digest_size=20
    ).hexdigest()


def _parse_ts(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _check_source_id(source_id: Any) -> list[FieldError]:
    if not isinstance(source_id, str) or not source_id.strip():
        return [FieldError("/source_id", "source_id must be a non-empty string", "required")]
    if len(source_id) > 200:
        return [FieldError("/source_id", "source_id is longer than 200 characters", "too_long")]
    return []


def ingest_records(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    source: str,
    entity_type: str,
    items: Sequence[IngestItem],
    correlation_id: str | None,
    quarantine_invalid: bool = True,
) -> list[ItemResult]:
    """Ingest ``items`` of one source and entity type; one result per item, in order."""
    schema = schema_for(entity_type)
    repo = uow.repo
    if not repo.source_exists(source):
        raise UnknownSource(f"unknown source '{source}'; register it first")
    now = utcnow()

    results: list[ItemResult] = []
    valid: list[tuple[int, str, dict[str, Any]]] = []
    quarantine: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        errors = _check_source_id(item.source_id)
        if not isinstance(item.record, dict):
            errors.append(FieldError("/record", "a record must be a JSON object", "type"))
        else:
            errors.extend(schema.errors(item.record))
        sid = item.source_id if isinstance(item.source_id, str) else None
        if errors:
            qid = new_id()
            quarantine.append(
                _quarantine_row(
                    qid, source, entity_type, sid, item.record, errors, correlation_id, now
                )
            )
            results.append(
                ItemResult(
                    index,
                    sid,
                    "rejected",
                    errors=[e.as_dict() for e in errors],
                    quarantine_id=qid if quarantine_invalid else None,
                )
            )
        else:
            assert sid is not None
            results.append(ItemResult(index, sid, "accepted"))
            valid.append((index, sid, item.record))
    if not valid:
        if quarantine_invalid:
            repo.insert_quarantine(quarantine)
        return results

    keys_of = {index: matcher.keys(entity_type, rec) for index, _, rec in valid}
    repo.lock_keys(
        [record_key(source, entity_type, sid) for _, sid, _ in valid]
        + [f"{entity_type}|{k}" for ks in keys_of.values() for k in ks]
    )
    existing = repo.records_by_source_ids(source, entity_type, [sid for _, sid, _ in valid])
    fresh = [index for index, sid, _ in valid if sid not in existing]
    valid_by_index = {index: rec for index, _, rec in valid}
    key_index = candidates.lookup(repo, entity_type, {k for i in fresh for k in keys_of[i]})

    book = GoldenBook(repo, correlation_id=correlation_id)
    book.load({r["golden_id"] for r in existing.values()})
    # candidates are read light (attributes and member payloads); the one a record
    # links to is loaded in full, and locked, only then
    pool = repo.match_candidates(candidates.shortlist((keys_of[i] for i in fresh), key_index))
    book.resolve_refs(ref_key_of(entity_type, source, rec) for _, _, rec in valid)

    new_records: dict[str, dict[str, Any]] = {}
    changed_records: dict[str, dict[str, Any]] = {}
    versions: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    new_keys: list[dict[str, Any]] = []
    by_sid: dict[str, dict[str, Any]] = dict(existing)
    # Decide every new record against the stored candidates in one batch pass; in the
    # loop a record whose candidates an earlier record of this batch changed (created,
    # linked to, updated) is decided again, so results are the same as one by one.
    first_found = {i: candidates.build(book, pool, keys_of[i], key_index) for i in fresh}
    by_batch = dict(
        zip(
            first_found,
            matcher.decide_many(
                entity_type, [(valid_by_index[i], found) for i, found in first_found.items()]
            ),
            strict=True,
        )
    )

    def refuse_cycle(index: int, sid: str, rec: Mapping[str, Any], golden_id: str) -> bool:
        """A parent that would close a loop refuses the record: quarantine + steward task."""
        if entity_type != "customer" or not isinstance(rec.get("parent"), str):
            return False
        parent_gid = book.xref.get(record_key(source, "customer", rec["parent"]))
        chain = [golden_id] if rec["parent"] == sid else _cycle(book, golden_id, parent_gid)
        if chain is None:
            return False
        error = FieldError(
            "/parent",
            f"parent '{rec['parent']}' would make a hierarchy cycle "
            f"({' -> '.join([golden_id, *chain])})",
            "hierarchy_cycle",
        )
        qid = new_id()
        quarantine.append(
            _quarantine_row(qid, source, entity_type, sid, rec, [error], correlation_id, now)
        )
        tasks.append(
            {
                "id": new_id(),
                "entity_type": entity_type,
                "kind": "hierarchy_cycle",
                "status": "open",
                "record_id": None,
                "golden_id": golden_id,
                "candidate_golden_id": parent_gid,
                "score": None,
                "settings_version": None,
                "explanation": {
                    "reason": error.message,
                    "cycle": [golden_id, *chain],
                    "record": {"source": source, "source_id": sid},
                    "parent": rec["parent"],
                    "quarantine_id": qid,
                },
                "created_at": now,
                "updated_at": now,
                "priority": 100,
                "source": source,
            }
        )
        result = results[index]
        result.status = "rejected"
        result.errors = [error.as_dict()]
        result.quarantine_id = qid
        return True

    for index, sid, rec in valid:
        result = results[index]
        digest = payload_hash(rec)
        updated_at = _parse_ts(rec.get("source_updated_at"))
        current = by_sid.get(sid)
        if current is not None:
            g = book.goldens[current["golden_id"]]
            if current["payload_hash"] == digest:
                _done(result, "unchanged", g, current)
                continue
            stored_at = current["source_updated_at"]
            if updated_at and stored_at and updated_at < stored_at:
                _done(result, "stale", g, current)
                continue
            if refuse_cycle(index, sid, rec, g.id):
                continue
            current = {
                **current,
                "version": current["version"] + 1,
                "payload": rec,
                "payload_hash": digest,
                "schema_version": schema.id,
                "source_updated_at": updated_at or stored_at,
                "received_at": now,
                "ref_key": ref_key_of(entity_type, source, rec),
                "match_std": matcher.prepare(entity_type, rec),
            }
            by_sid[sid] = current
            g.members[current["id"]] = current
            if current["id"] in new_records:
                new_records[current["id"]] = current
            else:
                changed_records[current["id"]] = current
            book.recompute(g, cause="source_updated", membership_changed=False)
            action = "updated"
        else:
            current = {
                "id": new_id(),
                "source": source,
                "entity_type": entity_type,
                "source_id": sid,
                "golden_id": "",
                "version": 1,
                "payload": rec,
                "payload_hash": digest,
                "schema_version": schema.id,
                "source_updated_at": updated_at,
                "received_at": now,
                "ref_key": ref_key_of(entity_type, source, rec),
                "match_std": matcher.prepare(entity_type, rec),
            }
            found = candidates.build(book, pool, keys_of[index], key_index)
            if index in by_batch and _same(found, first_found[index]):
                decision = by_batch[index]
            else:
                decision = matcher.decide(entity_type, rec, found)
            explanation = dict(decision.explanation)
            if decision.golden_id is not None:
                explanation["shared_keys"] = candidates.shared_keys(
                    keys_of[index], key_index, decision.golden_id
                )
            chosen = decision.golden_id
            if decision.action == "link" and chosen is not None and chosen not in book.goldens:
                book.load([chosen])
                linked = book.goldens.get(chosen)
                if linked is not None:
                    book.resolve_refs(
                        (m.get("ref_key") for m in linked.members.values()), members=False
                    )
            if decision.action == "link" and decision.golden_id in book.goldens:
                if refuse_cycle(index, sid, rec, decision.golden_id):
                    continue
                g = book.goldens[decision.golden_id]
                action, cause = "linked", "record_linked"
            else:
                g = book.create(entity_type)
                action = "review" if decision.action == "review" else "created"
                cause = "record_created"
            current["golden_id"] = g.id
            by_sid[sid] = current
            g.members[current["id"]] = current
            book.xref[record_key(source, entity_type, sid)] = g.id
            new_records[current["id"]] = current
            book.recompute(g, cause=cause, membership_changed=True)
            decisions.append(
                {
                    "entity_type": entity_type,
                    "record_id": current["id"],
                    "golden_id": g.id,
                    "action": decision.action,
                    "score": decision.score,
                    "settings_version": decision.settings_version,
                    "explanation": explanation,
                    "correlation_id": correlation_id,
                    "decided_at": now,
                }
            )
            if action == "review":
                tasks.append(
                    {
                        "id": new_id(),
                        "entity_type": entity_type,
                        "kind": "identifier_conflict"
                        if decision.explanation.get("conflicts")
                        else "match_review",
                        "status": "open",
                        "record_id": current["id"],
                        "golden_id": g.id,
                        "candidate_golden_id": decision.golden_id,
                        "score": decision.score,
                        "settings_version": decision.settings_version,
                        "explanation": {
                            **explanation,
                            "other_candidates": list(decision.other_candidates),
                        },
                        "created_at": now,
                        "updated_at": now,
                        "priority": round((decision.score or 0) * 100),
                        "source": source,
                    }
                )
        for k in keys_of[index]:
            indexed = key_index.setdefault(k, set())
            if g.id not in indexed:
                indexed.add(g.id)
                new_keys.append({"entity_type": entity_type, "key": k, "golden_id": g.id})
        versions.append(
            {
                "record_id": current["id"],
                "version": current["version"],
                "payload": rec,
                "payload_hash": digest,
                "schema_version": schema.id,
                "source_updated_at": updated_at,
                "received_at": now,
                "correlation_id": correlation_id,
            }
        )
        _done(result, action, g, current)

    # Children waiting for a parent, prices waiting for a product, now resolve.
    book.refresh_dependents(new_records.values(), cause="reference_resolved")
    tasks.extend(_parent_disagreements(book, entity_type, now))

    repo.insert_records(list(new_records.values()))
    repo.update_records(
        [
            {
                k: r[k]
                for k in (
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
            }
            for r in changed_records.values()
        ]
    )
    repo.insert_record_versions(versions)
    book.flush()
    repo.insert_keys(new_keys)
    repo.insert_decisions(decisions)
    repo.insert_tasks(tasks)
    if quarantine_invalid:
        repo.insert_quarantine(quarantine)
    return results


def _quarantine_row(
    qid: str,
    source: str,
    entity_type: str,
    source_id: str | None,
    payload: Any,
    errors: Sequence[FieldError],
    correlation_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": qid,
        "source": source,
        "entity_type": entity_type,
        "source_id": source_id,
        "payload": payload,
        "errors": [e.as_dict() for e in errors],
        "correlation_id": correlation_id,
        "received_at": now,
        "status": "open",
    }


def _parent_disagreements(
    book: GoldenBook, entity_type: str, now: datetime
) -> list[dict[str, Any]]:
    """A steward task for each changed customer whose sources name different parents
    (survivorship picked one; the others stay visible in lineage ``alternatives``)."""
    if entity_type != "customer":
        return []
    disputed = {
        g.id: g.lineage["parent"]
        for g in book.goldens.values()
        if g.dirty and "alternatives" in g.lineage.get("parent", {})
    }
    if not disputed:
        return []
    already = book.repo.open_task_goldens("parent_disagreement", sorted(disputed))
    return [
        {
            "id": new_id(),
            "entity_type": "customer",
            "kind": "parent_disagreement",
            "status": "open",
            "record_id": None,
            "golden_id": gid,
            "candidate_golden_id": None,
            "score": None,
            "settings_version": None,
            "explanation": {
                "reason": "sources disagree on the parent",
                "chosen": {"source": lin["source"], "source_id": lin["source_id"]},
                "alternatives": lin["alternatives"],
            },
            "created_at": now,
            "updated_at": now,
            "priority": 50,
            "source": None,
        }
        for gid, lin in disputed.items()
        if gid not in already
    ]


def _parent_of(book: GoldenBook, gid: str) -> str | None:
    g = book.goldens.get(gid)
    if g is not None:
        parent = g.attributes.get("parent")
    else:
        row = book.repo.golden(gid)
        parent = row["attributes"].get("parent") if row else None
    return parent if isinstance(parent, str) else None


def _cycle(book: GoldenBook, golden_id: str, parent_id: str | None) -> list[str] | None:
    """The chain from ``parent_id`` up to ``golden_id`` if making ``parent_id`` the parent
    of ``golden_id`` would close a loop; None when it would not."""
    chain: list[str] = []
    current = parent_id
    for _ in range(_MAX_DEPTH):
        if current is None:
            return None
        chain.append(current)
        if current == golden_id:
            return chain
        current = _parent_of(book, current)
    return chain


def _same(found: Sequence[Candidate], before: Sequence[Candidate]) -> bool:
    """The same candidate objects: none was rebuilt from a golden record this unit of
    work changed since ``before`` was built."""
    return len(found) == len(before) and all(a is b for a, b in zip(found, before, strict=True))


def _done(result: ItemResult, action: str, g: GoldenState, rec: Mapping[str, Any]) -> None:
    result.action = action
    result.golden_id = g.id
    result.golden_version = g.version
    result.record_version = rec["version"]
