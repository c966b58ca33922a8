"""GraphQL types of a customer's transactional events and facts (read through loaders)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from mdm.graphql.errors import bad_input
from mdm.graphql.types_common import JSON
from mdm.graphql.views import GoldenView

__all__ = [
    "MAX_TRANSACTIONS",
    "CustomerFacts",
    "Transaction",
    "facts_of",
    "transactions_of",
]

MAX_TRANSACTIONS = 500


class Transaction(graphene.ObjectType):
    """One event a source reported about the customer (``outcome`` ``stale``: kept, but
    older than the state of its object, so not applied)."""

    id = graphene.ID(required=True, description="The source's event id")
    source = graphene.String(required=True)
    type = graphene.String(required=True, description="invoice.paid, payment.failed, ...")
    object_type = graphene.String(required=True)
    object_id = graphene.String(required=True)
    occurred_at = graphene.DateTime(required=True)
    received_at = graphene.DateTime(required=True)
    outcome = graphene.String(required=True)
    version = graphene.Float(description="The source's object version, when it gave one")
    data = JSON(required=True, description="The object after the event, as reported")


class CurrencyTotals(graphene.ObjectType):
    """Amounts in one currency, as decimal strings."""

    currency = graphene.String(required=True)
    booked = graphene.String(required=True, description="Orders booked or fulfilled")
    invoiced = graphene.String(required=True, description="Invoices posted (not void)")
    paid = graphene.String(required=True, description="Payments received, net of refunds")
    refunded = graphene.String(required=True)
    receivable = graphene.String(required=True, description="Still owed on open invoices")
    overdue = graphene.String(required=True, description="The part of it past its due date")


class LastPayment(graphene.ObjectType):
    status = graphene.String(required=True)
    at = graphene.String(required=True, description="ISO 8601 time of its newest event")


class SubscriptionSummary(graphene.ObjectType):
    status = graphene.String(required=True, description="The best status among them")
    renews_at = graphene.String(description="The next renewal of one still running")
    running = graphene.Int(required=True)
    total = graphene.Int(required=True)


class CustomerFacts(graphene.ObjectType):
    """What the customer's transactions show now (current state, also under ``asOf``)."""

    money = graphene.List(graphene.NonNull(CurrencyTotals), required=True)
    open_invoices = graphene.Int(required=True)
    last_payment = graphene.Field(LastPayment)
    payment_status = graphene.String(description="past_due while the newest payment failed")
    subscription = graphene.Field(SubscriptionSummary)
    open_cases = graphene.Int(required=True)


def transactions_of(
    root: GoldenView,
    info: GraphQLResolveInfo,
    *,
    first: int,
    filters: dict[str, Any],
) -> list[dict[str, Any]]:
    if not 1 <= first <= MAX_TRANSACTIONS:
        raise bad_input(f"'first' must be between 1 and {MAX_TRANSACTIONS}; got {first}", "first")
    aware = {
        k: v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v
        for k, v in filters.items()
    }
    rows = info.context.loaders.transactions(root, first, aware)
    return [
        {
            **row,
            "id": row["event_id"],
            "type": row["event_type"],
            "data": row["payload"].get("data") or {},
        }
        for row in rows
    ]


def facts_of(root: GoldenView, info: GraphQLResolveInfo) -> dict[str, Any]:
    facts: dict[str, Any] = info.context.loaders.facts(root)
    return facts
