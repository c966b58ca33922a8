"""Steward-only types: tasks, match candidates and match decisions, with the
matcher's explanations (personal-data values masked without the ``pii`` role)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from mdm.graphql.types_common import JSON, GoldenRecord, PageInfo, PageResolvers
from mdm.graphql.views import GoldenView, scrub_pii

__all__ = ["MatchCandidate", "MatchDecision", "StewardTask", "StewardTaskConnection"]


def _explanation(row: dict[str, Any], info: GraphQLResolveInfo) -> Any:
    value = row.get("explanation") or {}
    return value if info.context.may_see_pii else scrub_pii(value)


def _both_sides(tasks: list[dict[str, Any]]) -> list[str]:
    return [t[k] for t in tasks for k in ("golden_id", "candidate_golden_id") if t[k]]


def _golden(info: GraphQLResolveInfo, gid: str | None, siblings: list[str]) -> GoldenView | None:
    if gid is None:
        return None
    return info.context.loaders.golden(None).load(gid, siblings)


class StewardTask(graphene.ObjectType):
    """A doubtful match or rule breach waiting for (or decided by) a person."""

    id = graphene.ID(required=True)
    entity_type = graphene.String(required=True)
    kind = graphene.String(required=True)
    status = graphene.String(required=True)
    score = graphene.Float()
    settings_version = graphene.String()
    explanation = JSON(required=True)
    record_id = graphene.ID(description="The source record under review (its hub id)")
    golden = graphene.Field(GoldenRecord, description="The golden record the record has now")
    candidate = graphene.Field(GoldenRecord, description="The golden record it may belong to")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_explanation(root: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        return _explanation(root, info)

    @staticmethod
    def resolve_golden(root: dict[str, Any], info: GraphQLResolveInfo) -> GoldenView | None:
        return _golden(info, root["golden_id"], _both_sides(root["_siblings"]))

    @staticmethod
    def resolve_candidate(root: dict[str, Any], info: GraphQLResolveInfo) -> GoldenView | None:
        return _golden(info, root["candidate_golden_id"], _both_sides(root["_siblings"]))


class StewardTaskEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(StewardTask, required=True)


class StewardTaskConnection(PageResolvers, graphene.ObjectType):
    edges = graphene.List(graphene.NonNull(StewardTaskEdge), required=True)
    page_info = graphene.Field(PageInfo, required=True)


class MatchCandidate(graphene.ObjectType):
    """Another golden record a steward task pairs this one with, and why."""

    task_id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    status = graphene.String(required=True)
    score = graphene.Float()
    settings_version = graphene.String()
    explanation = JSON(required=True)
    candidate = graphene.Field(GoldenRecord)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_explanation(root: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        return _explanation(root, info)

    @staticmethod
    def resolve_candidate(root: dict[str, Any], info: GraphQLResolveInfo) -> GoldenView | None:
        return _golden(info, root["other_id"], [c["other_id"] for c in root["_siblings"]])


class MatchDecision(graphene.ObjectType):
    """Why one source record was linked to this golden record (or given it)."""

    source = graphene.String()
    source_id = graphene.String()
    action = graphene.String(required=True, description="link, review or new")
    score = graphene.Float()
    settings_version = graphene.String(required=True)
    explanation = JSON(required=True)
    decided_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_explanation(root: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        return _explanation(root, info)


def candidates_of(view: GoldenView, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steward-task rows seen from ``view``'s side: ``other_id`` is the other record."""
    out: list[dict[str, Any]] = []
    for t in tasks:
        other = t["candidate_golden_id"] if t["golden_id"] == view.id else t["golden_id"]
        out.append({**t, "task_id": t["id"], "other_id": other, "_siblings": out})
    return out
