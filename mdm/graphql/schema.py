"""The read-only GraphQL schema: the Query root and :func:`build_schema`.

There is no Mutation type: writes stay REST. Arguments named ``asOf`` travel in
time: the record (and every relation reached from it) is read as its latest
version recorded at or before that instant; a time without an offset is UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphene
from graphql import FieldNode, GraphQLResolveInfo

from mdm.graphql.errors import bad_input
from mdm.graphql.listing import Edge, Page, check_first, decode_cursor, encode_cursor, golden_page
from mdm.graphql.types_customer import Customer, CustomerConnection, CustomerFilter
from mdm.graphql.types_product import (
    Price,
    Product,
    ProductConnection,
    ProductFilter,
    prices_of,
)
from mdm.graphql.types_steward import MatchCandidate, StewardTaskConnection, candidates_of
from mdm.graphql.views import GoldenView

__all__ = ["Query", "build_schema"]

_CUSTOMER_FILTERS = {"country": "address.country"}


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _filters(given: Any, renames: dict[str, str]) -> dict[str, Any]:
    if not given:
        return {}
    return {renames.get(str(k), str(k)): v for k, v in dict(given).items() if v is not None}


_FAMILY = frozenset({"parent", "children", "ancestors", "ultimateParent", "descendants"})


def _wants_family(info: GraphQLResolveInfo) -> bool:
    """Whether the selection asks for a relative (fragments count as yes)."""
    selection_set = info.field_nodes[0].selection_set
    if selection_set is None:
        return False
    for sel in selection_set.selections:
        if not isinstance(sel, FieldNode) or sel.name.value in _FAMILY:
            return True
    return False


def _one(info: GraphQLResolveInfo, entity_type: str, gid: str | None, as_of: Any) -> Any:
    if gid is None:
        return None
    if entity_type == "customer" and as_of is None and _wants_family(info):
        info.context.loaders.prefetch_family([gid])
    view = info.context.loaders.golden(_utc(as_of)).load(gid)
    return view if view is not None and view.entity_type == entity_type else None


class Query(graphene.ObjectType):
    """Golden records, read-only. Every field needs the ``reader`` role; steward
    fields need ``steward``; personal data needs ``pii``."""

    customer = graphene.Field(
        Customer,
        id=graphene.ID(required=True),
        as_of=graphene.DateTime(),
        description="A merged-away id answers with its survivor (see resolvedFrom)",
    )
    customers = graphene.Field(
        CustomerConnection,
        required=True,
        filter=CustomerFilter(),
        search=graphene.String(description="Fuzzy on the standardized name, best first"),
        first=graphene.Int(default_value=20),
        after=graphene.String(),
    )
    customer_by_xref = graphene.Field(
        Customer,
        source=graphene.String(required=True),
        source_id=graphene.String(required=True),
        as_of=graphene.DateTime(),
    )
    product = graphene.Field(
        Product,
        id=graphene.ID(),
        sku=graphene.String(),
        as_of=graphene.DateTime(),
        description="By golden id or by sku (exactly one)",
    )
    products = graphene.Field(
        ProductConnection,
        required=True,
        filter=ProductFilter(),
        search=graphene.String(),
        first=graphene.Int(default_value=20),
        after=graphene.String(),
    )
    prices = graphene.List(
        graphene.NonNull(Price),
        required=True,
        product=graphene.ID(required=True, description="The product's golden id"),
        price_book=graphene.String(),
        currency=graphene.String(),
        as_of=graphene.DateTime(),
    )
    steward_tasks = graphene.Field(
        StewardTaskConnection,
        required=True,
        status=graphene.String(default_value="open", description="null for every status"),
        entity_type=graphene.String(),
        first=graphene.Int(default_value=20),
        after=graphene.String(),
        description="Steward role; oldest first",
    )
    match_candidates = graphene.List(
        graphene.NonNull(MatchCandidate),
        required=True,
        golden_id=graphene.ID(required=True),
        description="Steward role",
    )

    @staticmethod
    def resolve_customer(
        _root: None, info: GraphQLResolveInfo, id: str, as_of: datetime | None = None
    ) -> GoldenView | None:
        return _one(info, "customer", id, as_of)

    @staticmethod
    def resolve_customers(
        _root: None,
        info: GraphQLResolveInfo,
        first: int = 20,
        filter: Any = None,
        search: str | None = None,
        after: str | None = None,
    ) -> Page:
        filters = _filters(filter, _CUSTOMER_FILTERS)
        return golden_page(
            info.context.loaders, "customer", filters, search=search, first=first, after=after
        )

    @staticmethod
    def resolve_customer_by_xref(
        _root: None,
        info: GraphQLResolveInfo,
        source: str,
        source_id: str,
        as_of: datetime | None = None,
    ) -> GoldenView | None:
        gid = info.context.reads.golden_by_xref(source, "customer", source_id)
        return _one(info, "customer", gid, as_of)

    @staticmethod
    def resolve_product(
        _root: None,
        info: GraphQLResolveInfo,
        id: str | None = None,
        sku: str | None = None,
        as_of: datetime | None = None,
    ) -> GoldenView | None:
        if (id is None) == (sku is None):
            raise bad_input("give exactly one of 'id' and 'sku'", "id")
        if sku is not None:
            id = info.context.reads.golden_by_attr("product", "sku", sku)
        return _one(info, "product", id, as_of)

    @staticmethod
    def resolve_products(
        _root: None,
        info: GraphQLResolveInfo,
        first: int = 20,
        filter: Any = None,
        search: str | None = None,
        after: str | None = None,
    ) -> Page:
        return golden_page(
            info.context.loaders,
            "product",
            _filters(filter, {}),
            search=search,
            first=first,
            after=after,
        )

    @staticmethod
    def resolve_prices(
        _root: None,
        info: GraphQLResolveInfo,
        product: str,
        price_book: str | None = None,
        currency: str | None = None,
        as_of: datetime | None = None,
    ) -> list[GoldenView]:
        found = _one(info, "product", product, as_of)
        if found is None:
            return []
        loader = info.context.loaders.referrers("price", "product", _utc(as_of))
        return prices_of(loader.load(found.id), price_book, currency)

    @staticmethod
    def resolve_steward_tasks(
        _root: None,
        info: GraphQLResolveInfo,
        status: str | None = "open",
        entity_type: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Page:
        info.context.require("steward")
        check_first(first)
        key = None
        if after:
            at, tid = decode_cursor(after, "task", 2)
            try:
                key = (datetime.fromisoformat(at), tid)
            except ValueError as exc:
                raise bad_input("'after' is not a cursor of this list", "after") from exc
        rows = info.context.reads.task_page(
            status=status, entity_type=entity_type, after=key, limit=first + 1
        )
        shown = rows[:first]
        for row in shown:
            row["_siblings"] = shown
        edges = [
            Edge(encode_cursor("task", r["created_at"].isoformat(), r["id"]), r) for r in shown
        ]
        return Page(edges, len(rows) > first, after is not None, lambda: len(shown))

    @staticmethod
    def resolve_match_candidates(
        _root: None, info: GraphQLResolveInfo, golden_id: str
    ) -> list[dict[str, Any]]:
        info.context.require("steward")
        view = info.context.loaders.golden(None).load(golden_id)
        if view is None:
            return []
        return candidates_of(view, info.context.loaders.tasks(view))


def build_schema() -> graphene.Schema:
    return graphene.Schema(query=Query, auto_camelcase=True)
