"""Use case: carry a rematch out, as one audited change that keeps every steward decision.

``prepare`` (read-only, the long part): the rematch of :mod:`mdm.domain.rematch` under the
proposed settings, every steward decision kept, and its plan
(:mod:`mdm.domain.rematch_plan`). ``handle`` (the write transaction) first checks that
nothing the plan rests on changed meanwhile (no steward decided, every golden record
taking part still has exactly the records it had; else 409, run it again), then moves the
records, merges away the golden records no cluster kept (a merge event each, so
``unmerge`` undoes it exactly), creates the golden records new clusters need, re-keys
and recomputes every golden record it touched (versions and outbox events, so every
target hears of it), moves their transactional events along, closes the open tasks the
rematch answers, opens the review tasks it raises, stores the proposed settings as the
newest version (every process decides with them from its next transaction), and writes
one audit entry. Splitting a record out remembers no not-a-match pair and the merges it
makes are not steward merges: both are the model's, and a later rematch may revise them
(:data:`mdm.db.repositories.rematch.REMATCH_APPLIED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canonical.commands import ApplyRematch
from canonical.errors import Conflict
from canonical.states import GoldenStatus
from matching.port import LearningMatcher, Matcher
from matching.settings import MatchSettings, to_json
from mdm.db.repositories.records import SourceRecord
from mdm.db.repositories.rematch import REMATCH_APPLIED, RematchReads
from mdm.db.uow import UnitOfWork
from mdm.domain.batch_engine import table_dedupe
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import GoldenState, new_id
from mdm.domain.merging import reindex
from mdm.domain.rematch import Proposal, proposed_settings, rematch
from mdm.domain.rematch_plan import Plan, plan
from mdm.domain.rematch_report import summary
from mdm.domain.tasks import OPEN, new_task
from mdm.domain.transactional.follow import follow_merge, follow_split

__all__ = ["Applying", "handle", "prepare"]

Moved = tuple[SourceRecord, GoldenState, GoldenState]
"""A record as it is now, the golden record it left, the one it joined."""


@dataclass(frozen=True, slots=True)
class Applying:
    """What ``prepare`` worked out for ``handle``."""

    settings: MatchSettings
    plan: Plan
    state: tuple[Any, ...]
    impact: dict[str, Any]


def prepare(cmd: ApplyRematch, uow: UnitOfWork, *, matcher: Matcher) -> Applying:
    proposal = Proposal(cmd.entity_type, document=cmd.settings, version=cmd.version)
    settings = proposed_settings(uow, matcher, proposal)
    state = RematchReads(uow.records.conn).decisions_state(cmd.entity_type)
    found = rematch(uow, matcher, settings, table_dedupe(cmd.engine))
    return Applying(settings, plan(found), state, summary(found))


def handle(
    cmd: ApplyRematch, uow: UnitOfWork, applying: Applying, *, matcher: Matcher
) -> dict[str, Any]:
    """Carry ``applying.plan`` out (module docstring); returns the impact and what was
    written."""
    p = applying.plan
    reason = (cmd.reason or "").strip()[:1000] or f"rematch under {p.settings_version}"
    correlation_id = cmd.correlation_id or new_id()
    if RematchReads(uow.records.conn).decisions_state(p.entity_type) != applying.state:
        raise Conflict("a steward decided meanwhile; run the rematch again")
    book = GoldenBook(uow, correlation_id=correlation_id)
    _check(book, p)
    book.resolve_refs()
    moved, merge_events = _move(book, p, cmd.actor, reason)
    touched = _follow(book, p, moved)
    for g in touched:
        reindex(book, matcher, g)
        book.recompute(g, cause="rematched", membership_changed=True)
    book.refresh_dependents([rec for rec, _, _ in moved], cause="parent_rematched")
    uow.merges.insert(merge_events)
    book.flush()
    tasks = _tasks(uow, p, cmd.actor)
    in_use = _store_settings(uow, applying.settings, matcher, cmd.actor)
    written = {
        "moved_records": len(moved),
        "merged_away": len(p.merged_into),
        "created": sum(1 for t in p.targets if t.golden_id is None),
        "changed_golden_records": len(touched),
        "groups_left_out": p.left_out,
        **tasks,
    }
    uow.audit.record(
        actor=cmd.actor,
        action=REMATCH_APPLIED,
        target_id=None,
        detail={"settings_version": p.settings_version, **written},
        reason=reason,
        correlation_id=correlation_id,
        at=uow.clock.now(),
    )
    return {**applying.impact, "in_use": in_use, "applied": True, "written": written}


def _check(book: GoldenBook, p: Plan) -> None:
    """Every golden record of the plan, locked, active and with the records it had."""
    book.load(p.members)
    for gid, records in p.members.items():
        g = book.goldens.get(gid)
        if g is None or g.status != GoldenStatus.ACTIVE or tuple(sorted(g.members)) != records:
            raise Conflict(
                f"golden record '{gid}' changed while the rematch ran; run the rematch again"
            )


def _move(book: GoldenBook, p: Plan, actor: str, reason: str) -> tuple[list[Moved], list[Any]]:
    """Every record to its cluster's golden record; golden records left empty merged away."""
    holder = {rid: g for g in list(book.goldens.values()) for rid in g.members}
    moved: list[Moved] = []
    for target in p.targets:
        dst = book.goldens[target.golden_id] if target.golden_id else book.create(p.entity_type)
        for rid in target.records:
            src = holder[rid]
            if src is not dst:
                moved.append((book.move(rid, src, dst), src, dst))
    events = []
    now = book.uow.clock.now()
    for gid, into in sorted(p.merged_into.items()):
        g = book.goldens[gid]
        g.status, g.merged_into = GoldenStatus.MERGED, into
        book.record_status_change(g, cause="merged_into_survivor", change="merged")
        events.append(
            {
                "id": new_id(),
                "entity_type": p.entity_type,
                "survivor_id": into,
                "merged_id": gid,
                "moved_records": [r["id"] for r, s, d in moved if s is g and d.id == into],
                "moved_keys": book.uow.keys.delete_of(p.entity_type, gid),
                "task_id": None,
                "actor": actor,
                "reason": reason,
                "correlation_id": book.correlation_id,
                "merged_at": now,
            }
        )
    return moved, events


def _follow(book: GoldenBook, p: Plan, moved: list[Moved]) -> list[GoldenState]:
    """Transactional events follow their records; returns every active golden record
    whose membership changed."""
    into: dict[str, list[str]] = {}
    for gid, survivor in sorted(p.merged_into.items()):
        into.setdefault(survivor, []).append(gid)
    for survivor, merged in into.items():
        joined = [r for r, s, d in moved if s.id in merged and d.id == survivor]
        follow_merge(book, book.goldens[survivor], merged, joined)
    for rec, src, dst in moved:
        if p.merged_into.get(src.id) == dst.id:
            continue
        held = book.goldens[p.merged_into[src.id]] if src.id in p.merged_into else src
        follow_split(book, held, dst, rec)
    ids = {g.id for _, s, d in moved for g in (s, d)}
    return [book.goldens[i] for i in sorted(ids) if book.goldens[i].status == GoldenStatus.ACTIVE]


def _tasks(uow: UnitOfWork, p: Plan, actor: str) -> dict[str, int]:
    """Close the open tasks the rematch answers; open a review task for each doubtful pair
    it raises (between the golden records the two records are in now)."""
    now = uow.clock.now()
    closed = 0
    for task_id, why in p.closed:
        why_text = "linked" if why == "linked" else "no longer doubtful"
        closed += uow.tasks.set_status(
            task_id,
            status="resolved",
            from_statuses=OPEN,
            actor=actor,
            reason=f"rematch under {p.settings_version}: {why_text}",
            at=now,
        )
    ids = {rid for left, right, _ in p.opened for rid in (left, right)}
    shown = RematchReads(uow.records.conn).shown(sorted(ids))
    rows = []
    for left, right, score in p.opened:
        a, b = shown.get(left), shown.get(right)
        if a is None or b is None or a["golden_id"] == b["golden_id"]:
            continue
        explanation = {"reason": "rematch", "settings_version": p.settings_version}
        rows.append(
            new_task(
                kind="match_review",
                entity_type=p.entity_type,
                now=now,
                explanation=explanation | {"candidate_record": left},
                golden_id=b["golden_id"],
                candidate_golden_id=a["golden_id"],
                record_id=right,
                score=score,
                settings_version=p.settings_version,
                source=b["source"],
            )
        )
    uow.tasks.insert(rows)
    return {"tasks_closed": closed, "tasks_opened": len(rows)}


def _store_settings(
    uow: UnitOfWork, settings: MatchSettings, matcher: Matcher, actor: str
) -> str | None:
    """The rematch's settings become the newest version, unless they already decide;
    returns the version that decided before."""
    settings_for = getattr(matcher, "settings_for", None)
    before = settings_for(settings.entity_type) if settings_for is not None else None
    if before == settings:
        return settings.version
    uow.match_settings.save(
        {
            "version": settings.version,
            "entity_type": settings.entity_type,
            "body": to_json(settings),
            "labels": 0,
            "created_by": actor,
            "created_at": uow.clock.now(),
        }
    )
    if isinstance(matcher, LearningMatcher):
        learning = matcher
        uow.after_commit(lambda: learning.use(settings))
    return before.version if before is not None else None
