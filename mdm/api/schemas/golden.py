"""Golden records as the API shows them: now or as of a time, their history, xrefs,
hierarchy, and a customer's transactions and facts (``routes_golden``,
``routes_transactions``, the hierarchy read of ``routes_steward``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "CustomerFacts",
    "CustomerTransactions",
    "GoldenHistory",
    "GoldenRecord",
    "Hierarchy",
    "Xref",
]

Time = str  # ISO 8601, UTC

ATTRIBUTES = (
    "The golden values, in the canonical model of the entity type (GET "
    "/api/v1/schemas/{entity_type}); personal data shown as *** for keys without pii"
)
LINEAGE = (
    "Per attribute, where its value came from: source, source_id, source_version, at, the "
    "survivorship rule and the candidates it chose among (alternatives: the values it did "
    "not choose)"
)


class GoldenXref(BaseModel):
    """A source record that is a member of the golden record."""

    source: str
    source_id: str
    record_version: int
    schema_version: str | None = None
    source_updated_at: Time | None = None
    received_at: Time | None = None


class GoldenRecord(BaseModel):
    """A golden record with its lineage and members; a merged-away id answers for its
    survivor (``resolved_from`` names the id asked for)."""

    id: str
    entity_type: str
    status: str = Field(description="active or merged", examples=["active"])
    merged_into: str | None
    resolved_from: str | None
    created_at: Time | None
    version: int
    updated_at: Time | None
    as_of: Time | None = Field(default=None, description="The time asked for (?as_of)")
    attributes: dict[str, Any] = Field(description=ATTRIBUTES)
    lineage: dict[str, Any] = Field(default={}, description=LINEAGE)
    masked: list[str] = Field(default=[], description="Attributes shown as *** (no pii)")
    xrefs: list[GoldenXref]


class GoldenVersion(BaseModel):
    version: int
    status: str
    cause: str | None = Field(description="Why it changed: record_created, merged, ...")
    changed: list[str] | None = Field(description="The attributes that changed")
    correlation_id: str | None
    recorded_at: Time | None
    attributes: dict[str, Any] = Field(description=ATTRIBUTES)
    masked: list[str] = []


class GoldenHistory(BaseModel):
    golden_id: str
    versions: list[GoldenVersion] = Field(description="Newest first")


class Xref(BaseModel):
    """Which golden record a source record belongs to."""

    source: str
    entity_type: str
    source_id: str
    golden_id: str
    golden_status: str | None
    record_version: int
    schema_version: str | None
    source_updated_at: Time | None
    received_at: Time | None


class Node(BaseModel):
    id: str
    name: str | None


class TreeNode(Node):
    children: list[TreeNode]


class Hierarchy(BaseModel):
    id: str
    ancestors: list[Node] = Field(description="Parent first, up to the ultimate parent")
    ultimate_parent: Node | None
    descendant_count: int
    tree: TreeNode = Field(description="The customer and its descendants, to max_depth")


class Transaction(BaseModel):
    id: str = Field(description="The event's id")
    source: str
    type: str = Field(examples=["invoice.paid"])
    object_type: str = Field(examples=["invoice"])
    object_id: str
    occurred_at: Time | None
    received_at: Time | None
    outcome: str = Field(description="applied or stale")
    version: int | None
    origin: str = Field(description="api, webhook, stripe or resubmit")
    customer: dict[str, Any] | None = Field(description="{source, source_id} of the customer")
    data: dict[str, Any] | None = Field(description="The event's data as sent")


class CustomerTransactions(BaseModel):
    golden_id: str
    resolved_from: str | None
    items: list[Transaction] = Field(description="Newest first")
    next_cursor: str | None = Field(description="?cursor= of the next page; null at the end")


class Money(BaseModel):
    """Amounts in one currency, as decimal strings."""

    currency: str
    booked: str
    invoiced: str
    paid: str
    receivable: str
    overdue: str
    refunded: str


class LastPayment(BaseModel):
    at: Time | None
    status: str


class Subscription(BaseModel):
    status: str
    renews_at: Time | None
    running: int
    total: int


class CustomerFacts(BaseModel):
    golden_id: str
    resolved_from: str | None
    money: list[Money]
    open_invoices: int
    last_payment: LastPayment | None
    payment_status: str | None = Field(examples=["current"])
    subscription: Subscription | None
    open_cases: int
