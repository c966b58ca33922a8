"""Stripe connector, catalog part: golden products as Products, golden prices as Prices.

Products carry our id: ``POST /v1/products`` with ``id=mdm_{golden_id}`` (Stripe takes an id
of ours, unique in the account), so a retried create can never make a second one; Stripe
answers ``resource_already_exists`` and the connector updates instead. With a known product the
connector updates (``POST /v1/products/{id}``), creating it on ``resource_missing``. A retired,
inactive or merged-away product is ``active=false`` (Stripe deletes no product with prices).

A Price's amount, currency, recurrence and product cannot change at Stripe (its update takes
``active``, ``nickname``, ``metadata`` and ``lookup_key`` only). Every golden price owns the
``lookup_key`` ``mdm_{golden_id}``: the connector reads the Price holding it on every delivery
(``GET /v1/prices?lookup_keys[]=...``, strongly consistent, unlike search) and, when what cannot
change differs, creates a new Price with ``transfer_lookup_key=true`` (the key moves in the same
call) and ``metadata[mdm_replaces]`` naming the old one, then archives the old one
(``active=false``). A try that died between the two archives the ``mdm_replaces`` Price on its
next attempt, so a product and price book end with exactly one active Price per golden price.
Billing periods map to ``recurring[interval]`` (a quarter is ``month`` x 3); tiers to
``billing_scheme=tiered``, ``tiers_mode`` (the target's option) and ``tiers`` (the last
``up_to=inf``). A price whose product Stripe does not know (``resource_missing`` on
``product``) is retryable with ``depends_on`` = the product, which the dispatcher delivers first.
Every POST carries an ``Idempotency-Key`` of the delivery, its try, the version and the
parameters.

Relied on: https://docs.stripe.com/api/products (create with ``id``, update, ``active``),
https://docs.stripe.com/api/prices/create (``lookup_key``, ``transfer_lookup_key``,
``recurring``, ``tiers``, ``unit_amount_decimal``), https://docs.stripe.com/api/prices/update,
https://docs.stripe.com/api/prices/list (``lookup_keys``, ``expand[]=data.tiers``),
https://docs.stripe.com/currencies (zero-decimal and three-decimal currencies).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from canonical.states import GoldenStatus
from contracts.targets import stripe as wire
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

__all__ = ["StripeCatalog", "lookup_key", "minor_units", "product_id"]

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PRICE_BOOK_KEY = "mdm_price_book"
PRODUCT_KEY = "mdm_product"
REPLACES_KEY = "mdm_replaces"
SKU_KEY = "mdm_sku"


def product_id(golden_id: str) -> str:
    return f"mdm_{golden_id}"


def lookup_key(golden_id: str) -> str:
    return f"mdm_{golden_id}"


def minor_units(value: Decimal, currency: str) -> Decimal:
    """An amount in the currency's smallest unit, as Stripe counts it."""
    exponent = wire.minor_unit_places(currency)
    return value.scaleb(exponent).normalize()


def _money(name: str, value: Decimal) -> dict[str, Any]:
    """``unit_amount`` for whole minor units, ``unit_amount_decimal`` for a fraction of one."""
    if value == value.to_integral_value():
        return {name: int(value)}
    return {f"{name}_decimal": format(value, "f")}


def _stripe_amount(obj: Mapping[str, Any], name: str) -> Decimal | None:
    value = obj.get(f"{name}_decimal", obj.get(name))
    return None if value is None else Decimal(str(value)).normalize()


class StripeCatalog:
    """Products and prices for :class:`sync.connectors.stripe.StripeConnector`, over its client."""

    def __init__(
        self,
        http: HttpClient,
        options: Mapping[str, Any],
        error: Callable[[httpx.Response], DeliveryError],
        encode: Callable[..., str],
    ) -> None:
        self._http = http
        self._books: Mapping[str, str] = options["price_books"]
        self._tiers_mode = str(options["tiers_mode"])
        self._error = error
        self._encode = encode

    def push(self, record: OutboundRecord) -> PushResult:
        if record.entity_type == "product":
            return self._product(record)
        return self._price(record)

    # products -------------------------------------------------------------------------------
    def _post(self, path: str, params: dict[str, Any], record: OutboundRecord, purpose: str):
        body = self._encode(params, clearing=purpose not in ("create", "recreate"))
        digest = hashlib.sha256(f"{path}|{body}".encode()).hexdigest()[:12]
        # one key per try: a try after the first reads what Stripe holds before it writes,
        # and an error Stripe saved for a key (a product missing then) is not replayed later
        key = f"mdm-{record.delivery_id}-{record.attempt}-v{record.version}-{purpose}-{digest}"
        headers = {**_FORM, "Idempotency-Key": key[:255]}
        return self._http.send("POST", path, records=[record], headers=headers, content=body)

    def _metadata(self, record: OutboundRecord) -> dict[str, Any]:
        return {
            wire.GOLDEN_ID_KEY: record.golden_id,
            wire.STATUS_KEY: record.status,
            wire.MERGED_INTO_KEY: record.merged_into
            if record.status == GoldenStatus.MERGED
            else None,
        }

    def _product_params(self, record: OutboundRecord) -> dict[str, Any]:
        a = record.attributes
        return {
            "name": a.get("name") or a.get("sku") or record.golden_id,
            "description": a.get("description"),
            "unit_label": a.get("unit"),
            "active": for_sale(record),
            "metadata": {**self._metadata(record), SKU_KEY: a.get("sku")},
        }

    def _product(self, record: OutboundRecord) -> PushResult:
        pid = record.target_id or product_id(record.golden_id)
        params = self._product_params(record)
        if record.target_id is None and record.attempt <= 1:
            response = self._post("/v1/products", {"id": pid, **params}, record, "create")
            if response.status_code == 200:
                return PushResult(record.golden_id, target_id=pid)
            if _code(response) not in ("resource_already_exists", "idempotency_error"):
                raise self._error(response)
        response = self._post(f"/v1/products/{quote(pid, safe='')}", params, record, "update")
        if response.status_code == 404:
            response = self._post("/v1/products", {"id": pid, **params}, record, "recreate")
        if response.status_code != 200:
            raise self._error(response)
        return PushResult(record.golden_id, target_id=pid)

    # prices ----------------------------------------------------------------------------------
    def _fixed(self, record: OutboundRecord, product: str) -> dict[str, Any]:
        """What a Price cannot change: product, currency, amount or tiers, recurrence."""
        a = record.attributes
        currency = str(a.get("currency") or "").upper()
        params: dict[str, Any] = {"product": product_id(product), "currency": currency.lower()}
        recurring = recurrence(record)
        tiers = a.get("tiers")
        if tiers:
            if recurring is None:
                raise PermanentError(
                    ErrorCode.INVALID,
                    f"price {record.golden_id}: Stripe takes tiers on recurring prices only",
                )
            params["billing_scheme"] = "tiered"
            params["tiers_mode"] = self._tiers_mode
            params["tiers"] = [_tier(t, i, currency, len(tiers)) for i, t in enumerate(tiers)]
        else:
            unit = minor_units(amount(a.get("unit_amount"), "unit_amount"), currency)
            params.update(_money("unit_amount", unit))
        if recurring is not None:
            params["recurring"] = {"interval": recurring[0], "interval_count": recurring[1]}
        return params

    def _same(self, price: Mapping[str, Any], fixed: Mapping[str, Any]) -> bool:
        recurring = price.get("recurring") or None
        wanted = fixed.get("recurring")
        if (price.get("product"), price.get("currency")) != (fixed["product"], fixed["currency"]):
            return False
        if (recurring and (recurring.get("interval"), recurring.get("interval_count"))) != (
            wanted and (wanted["interval"], wanted["interval_count"])
        ):
            return False
        if "tiers" not in fixed:
            return price.get("billing_scheme", "per_unit") == "per_unit" and _stripe_amount(
                price, "unit_amount"
            ) == _stripe_amount(fixed, "unit_amount")
        theirs = [_tier_key(t) for t in price.get("tiers") or []]
        return price.get("tiers_mode") == fixed["tiers_mode"] and theirs == [
            _tier_key(t) for t in fixed["tiers"]
        ]

    def _held(self, record: OutboundRecord) -> Mapping[str, Any] | None:
        """The Price holding the golden price's lookup key, None when none does. Read every
        time (a list by lookup key is strongly consistent, unlike search): a Price made by a
        try whose answer was lost, or before the crosswalk was, is found and never doubled."""
        params = {"lookup_keys[]": lookup_key(record.golden_id), "expand[]": "data.tiers"}
        response = self._http.send("GET", "/v1/prices", records=[record], params=params)
        if response.status_code != 200:
            raise self._error(response)
        found: list[Mapping[str, Any]] = response.json().get("data") or []
        return found[0] if found else None

    def _mutable(self, record: OutboundRecord, fixed: Mapping[str, Any]) -> dict[str, Any]:
        book = target_price_book(record, self._books)
        return {
            "active": for_sale(record),
            "nickname": book or None,
            "metadata": {
                **self._metadata(record),
                PRICE_BOOK_KEY: book or None,
                PRODUCT_KEY: fixed["product"].removeprefix("mdm_"),
            },
        }

    def _price(self, record: OutboundRecord) -> PushResult:
        fixed = self._fixed(record, product_of(record))
        mutable = self._mutable(record, fixed)
        held = self._held(record)
        if held is not None and record.attempt > 1:
            self._archive((held.get("metadata") or {}).get(REPLACES_KEY), record)
        if held is not None and (self._same(held, fixed) or not mutable["active"]):
            if _differs(held, mutable):
                path = f"/v1/prices/{quote(held['id'], safe='')}"
                response = self._post(path, mutable, record, "update")
                if response.status_code != 200:
                    raise self._error(response)
            return PushResult(record.golden_id, target_id=held["id"])
        if not mutable["active"]:  # nothing at Stripe to retire
            return PushResult(record.golden_id, target_id=record.target_id)
        params = {**fixed, **mutable, "lookup_key": lookup_key(record.golden_id)}
        params["transfer_lookup_key"] = True
        params["metadata"] = {**mutable["metadata"], REPLACES_KEY: held["id"] if held else None}
        response = self._post("/v1/prices", params, record, "create")
        if response.status_code != 200:
            raise self._price_error(response, record)
        created: wire.Price = response.json()
        if held is not None and held["id"] != created["id"]:
            self._archive(held["id"], record)
        return PushResult(record.golden_id, target_id=created["id"])

    def _archive(self, price_id: Any, record: OutboundRecord) -> None:
        if not isinstance(price_id, str) or not price_id:
            return
        path = f"/v1/prices/{quote(price_id, safe='')}"
        response = self._post(path, {"active": False}, record, "archive")
        if response.status_code not in (200, 404):
            raise self._error(response)

    def _price_error(self, response: httpx.Response, record: OutboundRecord) -> DeliveryError:
        body = json_body(response)
        detail = body.get("error") if isinstance(body, dict) else None
        if (
            isinstance(detail, dict)
            and detail.get("code") == "resource_missing"
            and detail.get("param") == "product"
        ):
            product = product_of(record)
            return RetryableError(
                ErrorCode.PARENT_MISSING,
                f"Stripe does not know product {product_id(product)} yet: deliver it first",
                status=response.status_code,
                target_code="resource_missing",
                depends_on=product,
            )
        return self._error(response)


def _code(response: httpx.Response) -> str | None:
    body = json_body(response)
    detail = body.get("error") if isinstance(body, dict) else None
    if not isinstance(detail, dict):
        return None
    return str(detail.get("code") or detail.get("type") or "") or None


def _tier(tier: Mapping[str, Any], index: int, currency: str, count: int) -> dict[str, Any]:
    up_to = tier.get("up_to")
    out: dict[str, Any] = {"up_to": "inf" if up_to is None or index == count - 1 else up_to}
    out.update(_money("unit_amount", minor_units(amount(tier["unit_amount"], "tier"), currency)))
    if tier.get("flat_amount") is not None:
        flat = minor_units(amount(tier["flat_amount"], "tier flat_amount"), currency)
        out.update(_money("flat_amount", flat))
    return out


def _tier_key(tier: Mapping[str, Any]) -> tuple[Any, ...]:
    up_to = tier.get("up_to")
    return (
        None if up_to in (None, "inf") else int(up_to),
        _stripe_amount(tier, "unit_amount"),
        _stripe_amount(tier, "flat_amount") or Decimal(0),
    )


def _differs(price: Mapping[str, Any], mutable: Mapping[str, Any]) -> bool:
    metadata = price.get("metadata") or {}
    if bool(price.get("active")) != mutable["active"]:
        return True
    if (price.get("nickname") or None) != mutable["nickname"]:
        return True
    return any(metadata.get(k) != v for k, v in mutable["metadata"].items())
