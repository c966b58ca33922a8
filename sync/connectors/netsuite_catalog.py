"""NetSuite connector, catalog part: golden products as items, golden prices in their items'
pricing sublist.

A product is an item of the record type its ``type`` maps to (``item_types``: by default a
non-inventory sale item, a service sale item for subscriptions and usage), upserted by external
id (``PUT .../{itemType}/eid:{golden_id}``, 204 with the internal id in ``Location``), with
``itemId`` (the SKU), ``displayName``, ``salesDescription`` and ``isInactive`` (retired,
inactive or merged away: NetSuite keeps items on transactions, so they are never deleted). An
item cannot change record type: a product whose type moves to another record type is refused
by NetSuite and ends as a dead letter naming it.

NetSuite keeps an item's prices in its ``price`` sublist, one value per currency, price level
and quantity. A golden price is written there with ``PATCH .../{itemType}/eid:{product}``
(without ``replace``, so the item's other prices stay): one line for a flat price at quantity
0, or one per tier at the tier's first quantity (``flat_amount`` has no place in NetSuite and
is not sent). The currency is its internal id (``currencies``), the price level the target's for
the hub's price book (``price_books``, by default the base price ``1``). The price does not say
which record type its product's item is: the connector tries the type its billing period
suggests (a service sale item for a recurring price) and then the others; an item missing under
every type (404) or an invalid reference to it is retryable with ``depends_on`` = the product,
which the dispatcher delivers first. A merged-away or inactive price is not written: NetSuite
has no inactive price value, and the item of a merged-away product is itself inactive.

Relied on: https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_159531460854.html
(the pricing sublist on item records), article_161522943519.html (non-inventory sale item),
section_156335203191.html (upsert), section_156334828635.html (external ids in URLs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from contracts.targets import netsuite as wire
from sync.connectors.base import (
    DeliveryError,
    ErrorCode,
    OutboundRecord,
    PermanentError,
    PushResult,
    RetryableError,
)
from sync.connectors.catalog import amount, for_sale, product_of, recurrence, target_price_book
from sync.connectors.http import HttpClient, json_body

__all__ = ["NetSuiteCatalog", "item_path"]

ErrorOf = Callable[[httpx.Response, OutboundRecord | None], DeliveryError]


def item_path(record_type: str, golden_id: str) -> str:
    return wire.RECORD_BY_EXTERNAL_ID_PATH.format(
        record_type=record_type, external_id=quote(golden_id, safe="")
    )


class NetSuiteCatalog:
    """Products and prices for :class:`sync.connectors.netsuite.NetSuiteConnector`."""

    def __init__(self, http: HttpClient, options: Mapping[str, Any], error: ErrorOf) -> None:
        self._http = http
        self._types: Mapping[str, str] = options["item_types"]
        self._books: Mapping[str, str] = options["price_books"]
        self._currencies: Mapping[str, str] = options["currencies"]
        self._error = error

    def push(self, record: OutboundRecord) -> PushResult:
        if record.entity_type == "product":
            return self._product(record)
        return self._price(record)

    def _product(self, record: OutboundRecord) -> PushResult:
        a = record.attributes
        kind = a.get("type")
        record_type = self._types.get(str(kind)) or self._types["*"]
        body = {
            "itemId": str(a.get("sku") or a.get("name") or record.golden_id),
            "displayName": a.get("name"),
            "salesDescription": a.get("description"),
            "upcCode": a.get("gtin"),
            "isInactive": not for_sale(record),
        }
        path = item_path(record_type, record.golden_id)
        response = self._http.send("PUT", path, records=[record], json=body)
        if response.status_code not in (200, 204):
            raise self._error(response, record)
        internal_id = wire.internal_id_from_location(response.headers.get("Location"))
        return PushResult(record.golden_id, target_id=internal_id or record.target_id)

    def _lines(self, record: OutboundRecord) -> tuple[list[dict[str, Any]], str]:
        a = record.attributes
        currency = str(a.get("currency") or "")
        currency_id = self._currencies.get(currency)
        if currency_id is None:
            raise PermanentError(
                ErrorCode.INVALID,
                f"price {record.golden_id} is in {currency}, which options.currencies does not "
                "map to a NetSuite currency",
            )
        level = target_price_book(record, self._books)
        tiers = a.get("tiers") or [{"unit_amount": a.get("unit_amount")}]
        lines, start = [], 0
        for tier in tiers:
            value = float(amount(tier.get("unit_amount"), "unit_amount"))
            lines.append(
                {
                    "currencyPage": {"id": currency_id},
                    "priceLevel": {"id": level},
                    "quantity": {"value": start},
                    "price": value,
                }
            )
            start = int(tier["up_to"]) + 1 if tier.get("up_to") is not None else start
        return lines, f"{currency_id}:{level}"

    def _candidates(self, record: OutboundRecord) -> list[str]:
        """Item record types the price's product may be, the likeliest first."""
        likely = self._types.get("subscription" if recurrence(record) else "one_time")
        ordered = [likely, self._types.get("*"), *self._types.values()]
        return list(dict.fromkeys(t for t in ordered if t))

    def _price(self, record: OutboundRecord) -> PushResult:
        if not for_sale(record):
            return PushResult(record.golden_id, target_id=record.target_id)
        product = product_of(record)
        lines, cell = self._lines(record)
        for record_type in self._candidates(record):
            path = item_path(record_type, product)
            body = {"price": {"items": lines}}
            response = self._http.send("PATCH", path, records=[record], json=body)
            if response.status_code == 404:
                continue
            if response.status_code not in (200, 204):
                raise self._price_error(response, record, product)
            item = wire.internal_id_from_location(response.headers.get("Location"))
            return PushResult(record.golden_id, target_id=f"{item}:{cell}" if item else None)
        raise RetryableError(
            ErrorCode.PARENT_MISSING,
            f"NetSuite has no item with external id {product}: deliver the product first",
            status=404,
            target_code="NONEXISTENT_ID",
            depends_on=product,
        )

    def _price_error(
        self, response: httpx.Response, record: OutboundRecord, product: str
    ) -> DeliveryError:
        body = json_body(response)
        details = body.get("o:errorDetails") if isinstance(body, dict) else None
        first: dict[str, Any] = details[0] if isinstance(details, list) and details else {}
        code = first.get("o:errorCode")
        if code == wire.INVALID_KEY_OR_REF and str(first.get("o:errorPath", "")).startswith("item"):
            return RetryableError(
                ErrorCode.PARENT_MISSING,
                f"NetSuite {code}: {first.get('detail')} (deliver product {product} first)",
                status=response.status_code,
                target_code=code,
                depends_on=product,
            )
        return self._error(response, record)
