"""The Stripe stand-in's Products and Prices, written from docs.stripe.com (api/products,
api/prices: create, update, retrieve, list).

A product may be created with an ``id`` of the caller's; the same id again is 400
``resource_already_exists``. A Price's ``product``, ``currency``, amounts, ``recurring`` and
``tiers`` are fixed at creation: an update naming one is 400 ``parameter_unknown`` ("Received
unknown parameter: unit_amount"), as Stripe answers. A ``lookup_key`` belongs to one Price: a
create or update that names one held by another Price is refused unless it says
``transfer_lookup_key=true``, which moves it. A Price's ``tiers`` are shown only with
``expand[]=tiers`` (``data.tiers`` in a list). Tiers need a recurring price here, and a price
naming a product that does not exist is 400 ``resource_missing`` on ``product``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from starlette.responses import Response

from tests.standins.common import Req, json_response

__all__ = ["StripeCatalog"]

_PRODUCT_PARAMS = frozenset(
    {"id", "name", "description", "unit_label", "active", "metadata", "url", "images"}
)
_PRICE_CREATE = frozenset(
    {
        "product",
        "currency",
        "unit_amount",
        "unit_amount_decimal",
        "billing_scheme",
        "tiers_mode",
        "tiers",
        "recurring",
        "lookup_key",
        "transfer_lookup_key",
        "active",
        "nickname",
        "metadata",
        "tax_behavior",
    }
)
_PRICE_UPDATE = frozenset(
    {"active", "nickname", "metadata", "lookup_key", "transfer_lookup_key", "tax_behavior"}
)


def _error(status: int, message: str, **extra: str) -> Response:
    body = {"error": {"type": "invalid_request_error", "message": message, **extra}}
    return json_response(body, status)


def _unknown(params: dict[str, Any], allowed: frozenset[str]) -> Response | None:
    for name in params:
        if name not in allowed:
            return _error(
                400,
                f"Received unknown parameter: {name}",
                code="parameter_unknown",
                param=name,
            )
    return None


def _metadata(current: dict[str, str], value: Any) -> dict[str, str]:
    if value == "":
        return {}
    out = dict(current)
    for key, item in (value or {}).items():
        if item == "":
            out.pop(key, None)
        else:
            out[key] = item
    return out


def _tiers(value: Any) -> list[dict[str, Any]]:
    out = []
    for _, tier in sorted((value or {}).items(), key=lambda kv: int(kv[0])):
        unit = tier.get("unit_amount_decimal", tier.get("unit_amount"))
        flat = tier.get("flat_amount_decimal", tier.get("flat_amount"))
        out.append(
            {
                "up_to": None if tier.get("up_to") == "inf" else int(tier["up_to"]),
                "unit_amount": int(unit) if unit is not None and "." not in unit else None,
                "unit_amount_decimal": unit,
                "flat_amount": int(flat) if flat is not None and "." not in flat else None,
                "flat_amount_decimal": flat,
            }
        )
    return out


class StripeCatalog:
    """Mixed into :class:`tests.standins.stripe.StripeStandIn` (its lock, nesting, ids)."""

    lock: Any
    products: dict[str, dict[str, Any]]
    prices: dict[str, dict[str, Any]]

    def catalog_routes(self, route: Any) -> None:
        self.products = {}
        self.prices = {}
        self._price_ids = itertools.count(1)
        route("POST", r"/v1/products", self._create_product)
        route("POST", r"/v1/products/(?P<id>[A-Za-z0-9_]+)", self._update_product)
        route("GET", r"/v1/products/(?P<id>[A-Za-z0-9_]+)", self._get_product)
        route("POST", r"/v1/prices", self._create_price)
        route("GET", r"/v1/prices", self._list_prices)
        route("POST", r"/v1/prices/(?P<id>price_[A-Za-z0-9]+)", self._update_price)
        route("GET", r"/v1/prices/(?P<id>price_[A-Za-z0-9]+)", self._get_price)

    def form(self, req: Req) -> dict[str, Any] | Response:  # the stand-in's parser
        raise NotImplementedError

    # reading, for tests ---------------------------------------------------------------------
    def catalog_ids(self) -> list[str]:
        """Golden ids of live products and of active prices: a price changed at Stripe must
        leave exactly one active Price per golden price."""
        ids = [p["metadata"].get("mdm_golden_id") for p in self.products.values()]
        ids += [p["metadata"].get("mdm_golden_id") for p in self.prices.values() if p["active"]]
        return [i for i in ids if i]

    def prices_of(self, golden_id: str, *, active: bool | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                dict(p)
                for p in self.prices.values()
                if p["metadata"].get("mdm_golden_id") == golden_id
                and (active is None or p["active"] == active)
            ]

    # products -------------------------------------------------------------------------------
    def _apply_product(self, product: dict[str, Any], params: dict[str, Any]) -> None:
        for name, value in params.items():
            if name == "metadata":
                product["metadata"] = _metadata(product["metadata"], value)
            elif name == "active":
                product["active"] = value == "true"
            elif name != "id":
                product[name] = value or None

    async def _create_product(self, req: Req) -> Response:
        params = self.form(req)
        if isinstance(params, Response):
            return params
        refused = _unknown(params, _PRODUCT_PARAMS)
        if refused is not None:
            return refused
        if not params.get("name"):
            return _error(400, "Missing required param: name.", code="parameter_missing")
        with self.lock:
            pid = params.get("id") or f"prod_{len(self.products) + 1:014d}"
            if pid in self.products:
                return _error(
                    400, "Product already exists.", code="resource_already_exists", param="id"
                )
            product = {"id": pid, "object": "product", "active": True, "metadata": {}}
            product["created"] = int(time.time())
            self._apply_product(product, params)
            self.products[pid] = product
            return json_response(product)

    def _no_product(self, pid: str, param: str = "id") -> Response:
        return _error(
            404 if param == "id" else 400,
            f"No such product: '{pid}'",
            code="resource_missing",
            param=param,
        )

    async def _update_product(self, req: Req) -> Response:
        params = self.form(req)
        if isinstance(params, Response):
            return params
        refused = _unknown(params, _PRODUCT_PARAMS - {"id"})
        if refused is not None:
            return refused
        with self.lock:
            product = self.products.get(req.groups["id"])
            if product is None:
                return self._no_product(req.groups["id"])
            self._apply_product(product, params)
            return json_response(product)

    async def _get_product(self, req: Req) -> Response:
        with self.lock:
            product = self.products.get(req.groups["id"])
            return json_response(product) if product else self._no_product(req.groups["id"])

    # prices ------------------------------------------------------------------------------------
    def _take_lookup_key(self, key: Any, transfer: bool, price_id: str) -> Response | None:
        if not key:
            return None
        for other in self.prices.values():
            if other["lookup_key"] == key and other["id"] != price_id:
                if not transfer:
                    return _error(
                        400,
                        f"A price (`{other['id']}`) already uses that lookup key.",
                        param="lookup_key",
                    )
                other["lookup_key"] = None
        return None

    async def _create_price(self, req: Req) -> Response:
        params = self.form(req)
        if isinstance(params, Response):
            return params
        refused = _unknown(params, _PRICE_CREATE)
        if refused is not None:
            return refused
        recurring = params.get("recurring") or None
        tiered = params.get("billing_scheme") == "tiered"
        unit = params.get("unit_amount_decimal", params.get("unit_amount"))
        if not params.get("currency") or (unit is None and not tiered):
            return _error(400, "Missing required param: unit_amount.", code="parameter_missing")
        if tiered and (not recurring or not params.get("tiers") or not params.get("tiers_mode")):
            return _error(400, "Tiered prices need recurring, tiers and tiers_mode.")
        with self.lock:
            if params.get("product") not in self.products:
                return self._no_product(str(params.get("product")), "product")
            price_id = f"price_{next(self._price_ids):014d}"
            transfer = params.get("transfer_lookup_key") == "true"
            taken = self._take_lookup_key(params.get("lookup_key"), transfer, price_id)
            if taken is not None:
                return taken
            price = {
                "id": price_id,
                "object": "price",
                "active": params.get("active", "true") == "true",
                "product": params["product"],
                "currency": params["currency"],
                "billing_scheme": "tiered" if tiered else "per_unit",
                "tiers_mode": params.get("tiers_mode") if tiered else None,
                "unit_amount": int(unit) if unit is not None and "." not in unit else None,
                "unit_amount_decimal": unit,
                "recurring": None,
                "type": "recurring" if recurring else "one_time",
                "lookup_key": params.get("lookup_key") or None,
                "nickname": params.get("nickname") or None,
                "metadata": _metadata({}, params.get("metadata")),
                "created": int(time.time()),
                "_tiers": _tiers(params.get("tiers")) if tiered else None,
            }
            if recurring:
                count = int(recurring.get("interval_count") or 1)
                price["recurring"] = {
                    "interval": recurring["interval"],
                    "interval_count": count,
                    "usage_type": "licensed",
                }
            self.prices[price_id] = price
            return json_response(self._shown(price, req))

    def _shown(self, price: dict[str, Any], req: Req, expand: str = "tiers") -> dict[str, Any]:
        shown = {k: v for k, v in price.items() if k != "_tiers"}
        if req.query.get("expand[]") == expand and price["_tiers"] is not None:
            shown["tiers"] = price["_tiers"]
        return shown

    def _no_price(self, price_id: str) -> Response:
        return _error(404, f"No such price: '{price_id}'", code="resource_missing", param="id")

    async def _update_price(self, req: Req) -> Response:
        params = self.form(req)
        if isinstance(params, Response):
            return params
        refused = _unknown(params, _PRICE_UPDATE)
        if refused is not None:
            return refused
        with self.lock:
            price = self.prices.get(req.groups["id"])
            if price is None:
                return self._no_price(req.groups["id"])
            if "lookup_key" in params:
                transfer = params.get("transfer_lookup_key") == "true"
                taken = self._take_lookup_key(params["lookup_key"], transfer, price["id"])
                if taken is not None:
                    return taken
                price["lookup_key"] = params["lookup_key"] or None
            if "active" in params:
                price["active"] = params["active"] == "true"
            if "nickname" in params:
                price["nickname"] = params["nickname"] or None
            if "metadata" in params:
                price["metadata"] = _metadata(price["metadata"], params["metadata"])
            return json_response(self._shown(price, req))

    async def _get_price(self, req: Req) -> Response:
        with self.lock:
            price = self.prices.get(req.groups["id"])
            return (
                json_response(self._shown(price, req))
                if price
                else self._no_price(req.groups["id"])
            )

    async def _list_prices(self, req: Req) -> Response:
        q = req.query
        with self.lock:
            data = [
                self._shown(p, req, "data.tiers")
                for p in sorted(self.prices.values(), key=lambda p: p["id"], reverse=True)
                if ("lookup_keys[]" not in q or p["lookup_key"] == q["lookup_keys[]"])
                and ("product" not in q or p["product"] == q["product"])
                and ("active" not in q or p["active"] == (q["active"] == "true"))
            ]
        body = {"object": "list", "url": "/v1/prices", "has_more": False, "data": data[:100]}
        return json_response(body)
