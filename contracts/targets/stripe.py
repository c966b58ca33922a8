"""Stripe API: the customer wire shapes the billing connector sends and reads.

Relied on:
- Customers (create ``POST /v1/customers``, update ``POST /v1/customers/{id}``, delete
  ``DELETE /v1/customers/{id}`` answering ``deleted: true``, search
  ``GET /v1/customers/search?query=metadata['key']:'value'``): https://docs.stripe.com/api/customers
- Request bodies are form-encoded; nested fields as ``address[line1]``, metadata as
  ``metadata[key]``; an empty value unsets a field or a metadata key:
  https://docs.stripe.com/api/metadata
- Idempotent requests (the first answer of a key is saved and replayed for the same
  parameters, keys up to 255 characters, pruned after 24 hours, other parameters with the same
  key are an ``idempotency_error``): https://docs.stripe.com/api/idempotent_requests
- Errors (``{"error": {"type", "code", "message", "param"}}``, types ``api_error``,
  ``card_error``, ``idempotency_error``, ``invalid_request_error``; 409 for a key in use,
  429 for rate limits, which run before the idempotency layer):
  https://docs.stripe.com/api/errors and https://docs.stripe.com/error-low-level
- Search is eventually consistent, so it is not for read-after-write:
  https://docs.stripe.com/search
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = [
    "GOLDEN_ID_KEY",
    "MERGED_INTO_KEY",
    "STATUS_KEY",
    "Customer",
    "DeletedCustomer",
    "ErrorBody",
    "ErrorDetail",
    "Price",
    "PriceList",
    "Product",
    "SearchResult",
    "minor_unit_places",
    "search_query",
]

# Stripe's zero-decimal and three-decimal currencies (its "Supported currencies" page):
# an integer amount in these is in whole units, or thousandths
_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def minor_unit_places(currency: str) -> int:
    """The decimal places one unit of Stripe's integer amounts in ``currency`` stands for."""
    code = currency.upper()
    return 0 if code in _ZERO_DECIMAL else 3 if code in _THREE_DECIMAL else 2


# metadata keys the hub owns on every customer it creates
GOLDEN_ID_KEY = "mdm_golden_id"
STATUS_KEY = "mdm_status"
MERGED_INTO_KEY = "mdm_merged_into"


class ErrorDetail(TypedDict):
    type: str
    message: str
    code: NotRequired[str]
    param: NotRequired[str]
    doc_url: NotRequired[str]


class ErrorBody(TypedDict):
    error: ErrorDetail


class Customer(TypedDict):
    id: str
    object: str
    name: NotRequired[str | None]
    email: NotRequired[str | None]
    phone: NotRequired[str | None]
    address: NotRequired[dict[str, Any] | None]
    metadata: dict[str, str]
    created: NotRequired[int]


class DeletedCustomer(TypedDict):
    id: str
    object: str
    deleted: bool


class SearchResult(TypedDict):
    object: str
    url: str
    has_more: bool
    data: list[Customer]
    next_page: NotRequired[str | None]


class Product(TypedDict):
    """``/v1/products``: the hub creates them with ``id=mdm_{golden_id}``."""

    id: str
    object: str
    name: str
    active: bool
    description: NotRequired[str | None]
    unit_label: NotRequired[str | None]
    metadata: dict[str, str]


class Price(TypedDict):
    """``/v1/prices``: amount, currency, recurrence, tiers and product never change; ``tiers``
    only with ``expand[]=tiers``."""

    id: str
    object: str
    active: bool
    product: str
    currency: str
    unit_amount: int | None
    unit_amount_decimal: str | None
    billing_scheme: str
    tiers_mode: str | None
    recurring: dict[str, Any] | None
    lookup_key: str | None
    nickname: str | None
    metadata: dict[str, str]
    tiers: NotRequired[list[dict[str, Any]]]


class PriceList(TypedDict):
    object: str
    url: str
    has_more: bool
    data: list[Price]


def search_query(golden_id: str) -> str:
    """The search query that finds the customer carrying ``golden_id`` in its metadata."""
    escaped = golden_id.replace("\\", "\\\\").replace("'", "\\'")
    return f"metadata['{GOLDEN_ID_KEY}']:'{escaped}'"
