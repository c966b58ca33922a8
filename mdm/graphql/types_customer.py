"""The Customer golden type: canonical attributes, masking and the account hierarchy."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from mdm.graphql.errors import bad_input
from mdm.graphql.types_common import GOLDEN_TYPES, JSON, GoldenRecord, PageInfo, PageResolvers
from mdm.graphql.types_steward import MatchCandidate, MatchDecision, candidates_of
from mdm.graphql.types_transactions import (
    MAX_TRANSACTIONS,
    CustomerFacts,
    Transaction,
    facts_of,
    transactions_of,
)
from mdm.graphql.views import GoldenView

__all__ = [
    "MAX_CHILDREN",
    "MAX_DESCENDANTS",
    "MAX_DESCENDANT_DEPTH",
    "Address",
    "Customer",
    "CustomerAttributes",
    "CustomerConnection",
    "CustomerFilter",
]

MAX_CHILDREN = 1000
MAX_DESCENDANTS = 10_000
MAX_DESCENDANT_DEPTH = 20


class Address(graphene.ObjectType):
    line1 = graphene.String()
    line2 = graphene.String()
    city = graphene.String()
    region = graphene.String()
    postcode = graphene.String()
    country = graphene.String(description="ISO 3166-1 alpha-2")


class CustomerAttributes(graphene.ObjectType):
    """The surviving canonical attributes (customer.v1). A person's email, phone,
    date_of_birth and tax_id read ``"***"`` unless the caller has the ``pii`` role;
    ``maskedFields`` names them."""

    kind = graphene.String()
    name = graphene.String()
    first_name = graphene.String()
    last_name = graphene.String()
    legal_form = graphene.String()
    tax_id = graphene.String()
    registration_number = graphene.String()
    email = graphene.String()
    phone = graphene.String()
    website = graphene.String()
    address = graphene.Field(Address)
    date_of_birth = graphene.String()
    parent_id = graphene.ID(description="The parent's golden id")
    segment = graphene.String()
    industry = graphene.String()
    currency = graphene.String()
    payment_terms = graphene.String()
    status = graphene.String()
    owner = graphene.String()
    payment_status = graphene.String(
        description="Derived from payments: past_due while the newest one failed, else current"
    )
    masked_fields = graphene.List(graphene.NonNull(graphene.String), required=True)
    all = JSON(required=True, description="Every attribute as one JSON object (masked alike)")


def attributes_of(view: GoldenView, info: GraphQLResolveInfo) -> dict[str, Any]:
    """The dict ``CustomerAttributes`` reads with default resolvers only (fast path)."""
    attributes, masked = view.masked(info.context.may_see_pii)
    return {
        **attributes,
        "masked_fields": masked,
        "all": attributes,
        "parent_id": attributes.get("parent"),
    }


def _bounded(value: int, maximum: int, argument: str) -> int:
    if not 1 <= value <= maximum:
        raise bad_input(f"'{argument}' must be between 1 and {maximum}; got {value}", argument)
    return value


class Customer(graphene.ObjectType):
    """A golden customer (organization or person) and its place in the account hierarchy."""

    class Meta:
        interfaces = (GoldenRecord,)

    attributes = graphene.Field(CustomerAttributes, required=True)
    parent = graphene.Field(lambda: Customer)
    children = graphene.List(
        graphene.NonNull(lambda: Customer),
        required=True,
        first=graphene.Int(default_value=100, description=f"1..{MAX_CHILDREN}, by id"),
    )
    ancestors = graphene.List(
        graphene.NonNull(lambda: Customer), required=True, description="Parent first, up to the top"
    )
    ultimate_parent = graphene.Field(
        lambda: Customer, description="The top of the hierarchy; null for a top-level customer"
    )
    descendants = graphene.List(
        graphene.NonNull(lambda: Customer),
        required=True,
        max_depth=graphene.Int(default_value=10, description=f"1..{MAX_DESCENDANT_DEPTH}"),
        first=graphene.Int(default_value=1000, description=f"1..{MAX_DESCENDANTS}"),
        description="Breadth first: children, then grandchildren, ...",
    )
    match_candidates = graphene.List(
        graphene.NonNull(MatchCandidate), required=True, description="Steward role"
    )
    match_decisions = graphene.List(
        graphene.NonNull(MatchDecision), required=True, description="Steward role"
    )
    transactions = graphene.List(
        graphene.NonNull(Transaction),
        required=True,
        first=graphene.Int(default_value=20, description=f"Newest first, 1..{MAX_TRANSACTIONS}"),
        type=graphene.String(description="An event type (invoice.paid) or object type (invoice)"),
        source=graphene.String(),
        since=graphene.DateTime(description="Occurred at or after"),
        until=graphene.DateTime(description="Occurred at or before"),
        description="Transactional events sources reported about this customer",
    )
    facts = graphene.Field(
        CustomerFacts, required=True, description="Revenue, receivables, payments, renewals"
    )

    @staticmethod
    def resolve_attributes(root: GoldenView, info: GraphQLResolveInfo) -> dict[str, Any]:
        return attributes_of(root, info)

    @staticmethod
    def resolve_parent(root: GoldenView, info: GraphQLResolveInfo) -> GoldenView | None:
        return info.context.loaders.parent(root)

    @staticmethod
    def resolve_children(
        root: GoldenView, info: GraphQLResolveInfo, first: int = 100
    ) -> list[GoldenView]:
        _bounded(first, MAX_CHILDREN, "first")
        return info.context.loaders.children(root)[:first]

    @staticmethod
    def resolve_ancestors(root: GoldenView, info: GraphQLResolveInfo) -> list[GoldenView]:
        return info.context.loaders.ancestors(root)

    @staticmethod
    def resolve_ultimate_parent(root: GoldenView, info: GraphQLResolveInfo) -> GoldenView | None:
        chain = info.context.loaders.ancestors(root)
        return chain[-1] if chain else None

    @staticmethod
    def resolve_descendants(
        root: GoldenView, info: GraphQLResolveInfo, max_depth: int = 10, first: int = 1000
    ) -> list[GoldenView]:
        _bounded(max_depth, MAX_DESCENDANT_DEPTH, "maxDepth")
        _bounded(first, MAX_DESCENDANTS, "first")
        return info.context.loaders.descendants(root, max_depth, first)

    @staticmethod
    def resolve_match_candidates(
        root: GoldenView, info: GraphQLResolveInfo
    ) -> list[dict[str, Any]]:
        info.context.require("steward")
        return candidates_of(root, info.context.loaders.tasks(root))

    @staticmethod
    def resolve_match_decisions(root: GoldenView, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        info.context.require("steward")
        return info.context.loaders.decisions(root)

    @staticmethod
    def resolve_transactions(
        root: GoldenView, info: GraphQLResolveInfo, first: int = 20, **filters: Any
    ) -> list[dict[str, Any]]:
        return transactions_of(root, info, first=first, filters=filters)

    @staticmethod
    def resolve_facts(root: GoldenView, info: GraphQLResolveInfo) -> dict[str, Any]:
        return facts_of(root, info)


GOLDEN_TYPES["customer"] = Customer


class CustomerFilter(graphene.InputObjectType):
    """Exact matches on attributes (all given must hold)."""

    ids = graphene.List(graphene.NonNull(graphene.ID))
    kind = graphene.String()
    segment = graphene.String()
    status = graphene.String()
    country = graphene.String(description="address.country, ISO 3166-1 alpha-2")
    parent = graphene.ID(description="Direct children of this golden id")
    source = graphene.String(description="Has a record from this source")
    updated_since = graphene.DateTime()


class CustomerEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(Customer, required=True)
    score = graphene.Float(description="Search score 0..100; null without search")


class CustomerConnection(PageResolvers, graphene.ObjectType):
    edges = graphene.List(graphene.NonNull(CustomerEdge), required=True)
    page_info = graphene.Field(PageInfo, required=True)
    total_count = graphene.Int(required=True, description="Costs a count; ask only if needed")
