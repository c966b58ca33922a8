"""The Product and Price golden types."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from mdm.graphql.types_common import GOLDEN_TYPES, JSON, GoldenRecord, PageInfo, PageResolvers
from mdm.graphql.views import GoldenView

__all__ = [
    "Price",
    "PriceAttributes",
    "PriceTier",
    "Product",
    "ProductAttributes",
    "ProductConnection",
    "ProductFilter",
    "prices_of",
]


class ProductAttributes(graphene.ObjectType):
    """The surviving canonical attributes (product.v1)."""

    sku = graphene.String()
    name = graphene.String()
    description = graphene.String()
    family = graphene.String()
    type = graphene.String(description="subscription, one_time or usage")
    unit = graphene.String()
    status = graphene.String()
    gtin = graphene.String()
    brand = graphene.String()
    manufacturer = graphene.String()
    supplier = graphene.String()
    category = graphene.String()
    list_price = graphene.String(description="Decimal string, in currency")
    currency = graphene.String(description="ISO 4217 code of list_price")
    all = JSON(required=True, description="Every attribute as one JSON object")


class PriceTier(graphene.ObjectType):
    up_to = graphene.Int(description="Null for the last, open-ended tier")
    unit_amount = graphene.String(required=True, description="Decimal string")
    flat_amount = graphene.String(description="Decimal string")


class PriceAttributes(graphene.ObjectType):
    """The surviving canonical attributes (price.v1); amounts are decimal strings."""

    product_id = graphene.ID(description="The product's golden id")
    sku = graphene.String()
    price_book = graphene.String()
    currency = graphene.String()
    unit_amount = graphene.String()
    billing_period = graphene.String()
    tiers = graphene.List(graphene.NonNull(PriceTier))
    effective_from = graphene.String(description="ISO 8601 date")
    effective_to = graphene.String(description="ISO 8601 date")
    all = JSON(required=True, description="Every attribute as one JSON object")


def prices_of(
    views: list[GoldenView], price_book: str | None, currency: str | None
) -> list[GoldenView]:
    return [
        v
        for v in views
        if (price_book is None or v.attributes.get("price_book") == price_book)
        and (currency is None or v.attributes.get("currency") == currency)
    ]


class Price(graphene.ObjectType):
    """A golden price of a product in a price book."""

    class Meta:
        interfaces = (GoldenRecord,)

    attributes = graphene.Field(PriceAttributes, required=True)
    product = graphene.Field(lambda: Product)

    @staticmethod
    def resolve_attributes(root: GoldenView, _info: GraphQLResolveInfo) -> dict[str, Any]:
        return {
            **root.attributes,
            "all": root.attributes,
            "product_id": root.attributes.get("product"),
        }

    @staticmethod
    def resolve_product(root: GoldenView, info: GraphQLResolveInfo) -> GoldenView | None:
        pid = root.attributes.get("product")
        if not isinstance(pid, str):
            return None
        siblings = (v.attributes.get("product") for v in root.batch.views)
        found = info.context.loaders.golden(root.as_of).load(pid, siblings)
        return found if found is not None and found.entity_type == "product" else None


class Product(graphene.ObjectType):
    """A golden product and its prices."""

    class Meta:
        interfaces = (GoldenRecord,)

    attributes = graphene.Field(ProductAttributes, required=True)
    prices = graphene.List(
        graphene.NonNull(Price),
        required=True,
        price_book=graphene.String(),
        currency=graphene.String(),
    )

    @staticmethod
    def resolve_attributes(root: GoldenView, _info: GraphQLResolveInfo) -> dict[str, Any]:
        return {**root.attributes, "all": root.attributes}

    @staticmethod
    def resolve_prices(
        root: GoldenView,
        info: GraphQLResolveInfo,
        price_book: str | None = None,
        currency: str | None = None,
    ) -> list[GoldenView]:
        loader = info.context.loaders.referrers("price", "product", root.as_of)
        views = loader.load(root.id, (v.id for v in root.batch.views))
        return prices_of(views, price_book, currency)


GOLDEN_TYPES["product"] = Product
GOLDEN_TYPES["price"] = Price


class ProductFilter(graphene.InputObjectType):
    ids = graphene.List(graphene.NonNull(graphene.ID))
    sku = graphene.String()
    family = graphene.String()
    type = graphene.String()
    status = graphene.String()
    source = graphene.String(description="Has a record from this source")
    updated_since = graphene.DateTime()


class ProductEdge(graphene.ObjectType):
    cursor = graphene.String(required=True)
    node = graphene.Field(Product, required=True)
    score = graphene.Float(description="Search score 0..100; null without search")


class ProductConnection(PageResolvers, graphene.ObjectType):
    edges = graphene.List(graphene.NonNull(ProductEdge), required=True)
    page_info = graphene.Field(PageInfo, required=True)
    total_count = graphene.Int(required=True, description="Costs a count; ask only if needed")
