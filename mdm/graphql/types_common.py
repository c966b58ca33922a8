"""GraphQL types every golden record shares: lineage, xrefs, history, pages."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from mdm.graphql.errors import bad_input
from mdm.graphql.views import GoldenView, mask_attributes

__all__ = [
    "GOLDEN_TYPES",
    "JSON",
    "GoldenRecord",
    "GoldenVersion",
    "LineageEntry",
    "PageInfo",
    "PageResolvers",
    "Xref",
]

MAX_HISTORY = 100

# entity type -> the ObjectType that renders it; filled by the type modules.
GOLDEN_TYPES: dict[str, Any] = {}


class JSON(graphene.Scalar):
    """Any JSON value, passed through as is (objects, arrays, strings, numbers)."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: Any, _variables: Any = None) -> Any:
        return getattr(node, "value", None)


class LineageEntry(graphene.ObjectType):
    """Where one golden attribute's value came from, and which rule chose it."""

    attribute = graphene.String(required=True)
    source = graphene.String(required=True)
    source_id = graphene.String(required=True)
    source_version = graphene.Int(required=True)
    rule = graphene.String(required=True, description="The survivorship rule that chose it")
    at = graphene.String(description="ISO 8601 time the source says the value was current")
    candidates = graphene.Int(description="How many linked source records had a value")


class Xref(graphene.ObjectType):
    """One source system's record linked to the golden record, and its version.

    As of a past time only ``source``, ``sourceId`` and ``recordVersion`` are known.
    """

    source = graphene.String(required=True)
    source_id = graphene.String(required=True)
    record_version = graphene.Int(required=True)
    schema_version = graphene.String()
    source_updated_at = graphene.DateTime()
    received_at = graphene.DateTime()


class GoldenVersion(graphene.ObjectType):
    """One recorded version of a golden record (personal data masked as everywhere)."""

    version = graphene.Int(required=True)
    status = graphene.String(required=True)
    cause = graphene.String(required=True)
    changed = graphene.List(graphene.NonNull(graphene.String), required=True)
    correlation_id = graphene.String()
    recorded_at = graphene.DateTime(required=True)
    attributes = JSON(required=True)
    xrefs = graphene.List(graphene.NonNull(Xref), required=True)


class PageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    has_previous_page = graphene.Boolean(required=True)
    start_cursor = graphene.String()
    end_cursor = graphene.String()


class PageResolvers:
    """Resolvers a Relay connection type takes from a :class:`~mdm.graphql.listing.Page`."""

    @staticmethod
    def resolve_page_info(root: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
        edges = root.edges
        return {
            "has_next_page": root.has_next_page,
            "has_previous_page": root.has_previous_page,
            "start_cursor": edges[0].cursor if edges else None,
            "end_cursor": edges[-1].cursor if edges else None,
        }

    @staticmethod
    def resolve_total_count(root: Any, _info: GraphQLResolveInfo) -> int:
        return int(root.count())


def xref_of_member(member: list[Any]) -> dict[str, Any]:
    source, source_id, version = member
    return {"source": source, "source_id": source_id, "record_version": version}


def _xref_of_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": row["source"],
        "source_id": row["source_id"],
        "record_version": row["version"],
        "schema_version": row["schema_version"],
        "source_updated_at": row["source_updated_at"],
        "received_at": row["received_at"],
    }


class GoldenRecord(graphene.Interface):
    """A golden record of any entity type, now or as of a past time (``asOf``)."""

    id = graphene.ID(required=True)
    entity_type = graphene.String(required=True)
    version = graphene.Int(required=True)
    status = graphene.String(required=True, description="active, or merged (into mergedInto)")
    merged_into = graphene.ID()
    resolved_from = graphene.ID(
        description="The merged-away id that was asked for, when it resolved to this survivor"
    )
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    as_of = graphene.DateTime(description="The time this view is as of; null for now")
    lineage = graphene.List(
        graphene.NonNull(LineageEntry),
        required=True,
        attribute=graphene.String(description="Only this attribute's lineage"),
    )
    xrefs = graphene.List(graphene.NonNull(Xref), required=True)
    history = graphene.List(
        graphene.NonNull(GoldenVersion),
        required=True,
        first=graphene.Int(default_value=10, description=f"Newest first, 1..{MAX_HISTORY}"),
    )

    @classmethod
    def resolve_type(cls, instance: GoldenView, _info: GraphQLResolveInfo) -> Any:
        return GOLDEN_TYPES[instance.entity_type]

    @staticmethod
    def resolve_lineage(
        root: GoldenView, _info: GraphQLResolveInfo, attribute: str | None = None
    ) -> list[dict[str, Any]]:
        lineage = root.lineage
        names = [attribute] if attribute is not None else sorted(lineage)
        return [{"attribute": n, **lineage[n]} for n in names if n in lineage]

    @staticmethod
    def resolve_xrefs(root: GoldenView, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        if root.as_of is not None:
            return [xref_of_member(m) for m in root.members or []]
        return [_xref_of_row(r) for r in info.context.loaders.xrefs(root)]

    @staticmethod
    def resolve_history(
        root: GoldenView, info: GraphQLResolveInfo, first: int = 10
    ) -> list[dict[str, Any]]:
        if not 1 <= first <= MAX_HISTORY:
            raise bad_input(f"'first' must be between 1 and {MAX_HISTORY}; got {first}", "first")
        pii = info.context.may_see_pii
        rows = info.context.loaders.history(root, first)
        return [
            {
                **row,
                "attributes": mask_attributes(root.entity_type, row["attributes"], pii)[0],
                "xrefs": [xref_of_member(m) for m in row["members"]],
            }
            for row in rows
        ]
