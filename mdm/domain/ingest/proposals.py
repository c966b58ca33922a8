"""Ingest step *propose a hierarchy link*: an organisation the matcher kept apart from a
candidate of its group (``related_parties`` in the decision's explanation: the same name
but for its numbers, one name with another tax id, ...) is not merged, and not left
alone either: a ``hierarchy_proposal`` task asks a steward whether one is the other's
parent (:mod:`mdm.handlers.decide_hierarchy`).

One proposal per record at most, against its most probable related party; none where the
record's source already names a parent, where the two already share a parent link, or
where the pair was proposed before (whatever the steward decided)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mdm.db.uow import UnitOfWork
from mdm.domain.golden_state import GoldenState
from mdm.domain.ingest.run import Intake, ValidItem
from mdm.domain.tasks import HIERARCHY, new_task

__all__ = ["hierarchy_proposal", "proposal_task"]


def proposal_task(
    *,
    entity_type: str,
    now: Any,
    child: str,
    parent: str,
    party: Mapping[str, Any],
    record_id: str | None,
    source: str | None,
    settings_version: str | None,
) -> dict[str, Any]:
    """The task proposing ``parent`` (held first) as the parent of ``child``."""
    reasons = list(party["reasons"])
    return new_task(
        kind=HIERARCHY,
        entity_type=entity_type,
        now=now,
        record_id=record_id,
        golden_id=child,
        candidate_golden_id=parent,
        score=party.get("match_probability"),
        settings_version=settings_version,
        source=source,
        explanation={
            "reason": f"related, not the same: {'; '.join(reasons)}",
            "related": reasons,
            "proposal": {"parent": parent, "child": child},
            "match_probability": party.get("match_probability"),
        },
    )


def hierarchy_proposal(
    uow: UnitOfWork,
    intake: Intake,
    item: ValidItem,
    record: Mapping[str, Any],
    g: GoldenState,
    explanation: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The proposal ``record`` (now a member of ``g``) makes, if any."""
    parties = explanation.get("related_parties")
    if intake.entity_type != "customer" or not parties or item.record.get("parent"):
        return None
    if g.attributes.get("parent"):
        return None
    for party in parties:
        other = party["golden_id"]
        if other == g.id or uow.tasks.proposed(HIERARCHY, g.id, other):
            continue
        return proposal_task(
            entity_type=intake.entity_type,
            now=intake.now,
            child=g.id,
            parent=other,
            party=party,
            record_id=record["id"],
            source=intake.source,
            settings_version=explanation.get("settings_version"),
        )
    return None
