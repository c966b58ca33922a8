"""A Stripe stand-in: customers, form-encoded bodies, idempotency keys, search by metadata.

Written from docs.stripe.com (api/customers, api/idempotent_requests, api/errors,
error-low-level, search): bodies are ``application/x-www-form-urlencoded`` with bracketed
nesting; ``""`` unsets a field or a metadata key; errors are ``{"error": {"type", "code",
"message", "param"}}``. The idempotency layer saves the status and body of every POST that
reached its endpoint and replays them (``Idempotent-Replayed: true``) for the same key and
parameters; the same key with other parameters (or another endpoint) is 400
``idempotency_error``. Injected ``status`` faults run before that layer (Stripe's rate
limiter does too), a ``lost_answer`` after it, so the lost answer of a create is saved and
replayed like Stripe's. Search is eventually consistent at Stripe: ``hide_from_search()``
keeps customers created from then on out of search until ``release_search()``.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
from typing import Any

from starlette.responses import Response

from tests.standins.common import Fault, Req, StandIn, json_response
from tests.standins.stripe_catalog import StripeCatalog

__all__ = ["StripeStandIn"]

_CUSTOMER_PARAMS = frozenset(
    {
        "name",
        "email",
        "phone",
        "address",
        "metadata",
        "description",
        "preferred_locales",
        "shipping",
        "tax_exempt",
    }
)
_ADDRESS_KEYS = frozenset({"line1", "line2", "city", "state", "postal_code", "country"})
_QUERY = re.compile(r"^metadata\['(?P<key>[^']+)'\]:'(?P<value>(?:[^'\\]|\\.)*)'$")
_BRACKETS = re.compile(r"\[([^\]]*)\]")


def _nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        head = name.split("[", 1)[0]
        keys = [head, *_BRACKETS.findall(name[len(head) :])]
        node = out
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ValueError(name)
        node[keys[-1]] = value
    return out


def _error(status: int, type_: str, message: str, **extra: str) -> Response:
    return json_response({"error": {"type": type_, "message": message, **extra}}, status)


class StripeStandIn(StripeCatalog, StandIn):
    """Customers here, products and prices in :mod:`tests.standins.stripe_catalog`."""

    kind = "stripe"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.customers: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, tuple[str, str, list[tuple[str, str]], int, Any]] = {}
        self.hidden: set[str] = set()
        self._hiding = False
        self._ids = itertools.count(1)
        self.route("POST", r"/v1/customers", self._create)
        self.route("GET", r"/v1/customers/search", self._search)
        self.route("POST", r"/v1/customers/(?P<id>cus_[A-Za-z0-9]+)", self._update)
        self.route("GET", r"/v1/customers/(?P<id>cus_[A-Za-z0-9]+)", self._retrieve)
        self.route("DELETE", r"/v1/customers/(?P<id>cus_[A-Za-z0-9]+)", self._delete)
        self.catalog_routes(self.route)

    # the StandIn hooks ----------------------------------------------------------------
    def authorized(self, req: Req) -> bool:
        header = req.headers.get("authorization", "")
        basic = "Basic " + base64.b64encode(f"{self.token}:".encode()).decode()
        return header in (f"Bearer {self.token}", basic)

    def unauthorized(self) -> Response:
        return _error(
            401, "invalid_request_error", f"Invalid API Key provided: {self.token[:4]}************"
        )

    def error(self, fault: Fault) -> Response:
        if fault.status == 429:
            return _error(
                429,
                "invalid_request_error",
                fault.message
                or "Request rate limit "
                "exceeded. Learn more about rate limits here "
                "https://stripe.com/docs/rate-limits.",
                code=fault.code or "rate_limit",
            )
        return _error(
            fault.status,
            "api_error",
            fault.message or "An unknown error occurred",
            **({"code": fault.code} if fault.code else {}),
        )

    def not_found(self, req: Req) -> Response:
        return _error(
            404, "invalid_request_error", f"Unrecognized request URL ({req.method}: {req.path})."
        )

    def external_ids(self) -> list[str]:
        return [
            c["metadata"]["mdm_golden_id"]
            for c in self.customers.values()
            if not c.get("deleted") and "mdm_golden_id" in c["metadata"]
        ] + self.catalog_ids()

    def records(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.customers.values()]

    def clear(self) -> None:
        self.customers.clear()
        self.products.clear()
        self.prices.clear()
        self.idempotency.clear()
        self.hidden.clear()
        self._hiding = False

    def hide_from_search(self) -> None:
        with self.lock:
            self._hiding = True

    def release_search(self) -> None:
        with self.lock:
            self._hiding = False
            self.hidden.clear()

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.customers.get(customer_id)
            return dict(found) if found else None

    def live_customers(self, golden_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                dict(c)
                for c in self.customers.values()
                if not c.get("deleted") and c["metadata"].get("mdm_golden_id") == golden_id
            ]

    # the idempotency layer --------------------------------------------------------------
    async def dispatch(self, req: Req) -> Response:
        key = req.headers.get("idempotency-key")
        if req.method != "POST" or not key or not self.authorized(req):
            return await super().dispatch(req)
        params = sorted(req.form_pairs())
        with self.lock:
            saved = self.idempotency.get(key)
        if saved is not None:
            method, path, saved_params, status, body = saved
            if (method, path, saved_params) != (req.method, req.path, params):
                return _error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same "
                    "parameters they were first used with. Try using a key other "
                    f"than '{key}' if you meant to execute a different request.",
                )
            return json_response(
                body, status, {"Idempotent-Replayed": "true", "Idempotency-Key": key}
            )
        response = await super().dispatch(req)
        if response.status_code != 400 or b"parameter_" not in response.body:
            with self.lock:
                self.idempotency[key] = (
                    req.method,
                    req.path,
                    params,
                    response.status_code,
                    json.loads(response.body),
                )
        response.headers["Idempotency-Key"] = key
        return response

    # routes -------------------------------------------------------------------------------
    def form(self, req: Req) -> dict[str, Any] | Response:
        form = req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        if req.body and not form:
            return _error(
                400, "invalid_request_error", "Invalid request: bodies must be form-encoded"
            )
        try:
            return _nested(req.form_pairs())
        except ValueError as exc:
            return _error(
                400,
                "invalid_request_error",
                f"Invalid array: {exc}",
                code="parameter_invalid_empty",
            )

    def _params(self, req: Req) -> dict[str, Any] | Response:
        params = self.form(req)
        if isinstance(params, Response):
            return params
        for name in params:
            if name not in _CUSTOMER_PARAMS:
                return _error(
                    400,
                    "invalid_request_error",
                    f"Received unknown parameter: {name}",
                    code="parameter_unknown",
                    param=name,
                )
        address = params.get("address")
        if isinstance(address, dict):
            for key in address:
                if key not in _ADDRESS_KEYS:
                    return _error(
                        400,
                        "invalid_request_error",
                        f"Received unknown parameter: address[{key}]",
                        code="parameter_unknown",
                        param=f"address[{key}]",
                    )
        return params

    def _apply(self, customer: dict[str, Any], params: dict[str, Any]) -> None:
        for name, value in params.items():
            if name == "metadata":
                if value == "":
                    customer["metadata"] = {}
                    continue
                for key, item in value.items():
                    if item == "":
                        customer["metadata"].pop(key, None)
                    else:
                        customer["metadata"][key] = item
            elif name == "address":
                if value == "":
                    customer["address"] = None
                else:
                    current = customer.get("address") or dict.fromkeys(sorted(_ADDRESS_KEYS))
                    current.update({k: (v or None) for k, v in value.items()})
                    customer["address"] = current
            else:
                customer[name] = value or None

    async def _create(self, req: Req) -> Response:
        params = self._params(req)
        if isinstance(params, Response):
            return params
        with self.lock:
            customer_id = f"cus_{next(self._ids):014d}"
            customer: dict[str, Any] = {
                "id": customer_id,
                "object": "customer",
                "created": int(time.time()),
                "name": None,
                "email": None,
                "phone": None,
                "address": None,
                "metadata": {},
            }
            self._apply(customer, params)
            self.customers[customer_id] = customer
            if self._hiding:
                self.hidden.add(customer_id)
            return json_response(customer)

    def _missing(self, customer_id: str) -> Response:
        return _error(
            404,
            "invalid_request_error",
            f"No such customer: '{customer_id}'",
            code="resource_missing",
            param="id",
        )

    async def _update(self, req: Req) -> Response:
        params = self._params(req)
        if isinstance(params, Response):
            return params
        with self.lock:
            customer = self.customers.get(req.groups["id"])
            if customer is None or customer.get("deleted"):
                return self._missing(req.groups["id"])
            self._apply(customer, params)
            return json_response(customer)

    async def _retrieve(self, req: Req) -> Response:
        with self.lock:
            customer = self.customers.get(req.groups["id"])
            if customer is None:
                return self._missing(req.groups["id"])
            if customer.get("deleted"):
                return json_response({"id": customer["id"], "object": "customer", "deleted": True})
            return json_response(customer)

    async def _delete(self, req: Req) -> Response:
        with self.lock:
            customer = self.customers.get(req.groups["id"])
            if customer is None or customer.get("deleted"):
                return self._missing(req.groups["id"])
            customer["deleted"] = True
        return json_response({"id": req.groups["id"], "object": "customer", "deleted": True})

    async def _search(self, req: Req) -> Response:
        match = _QUERY.match(req.query.get("query", ""))
        if match is None:
            return _error(
                400,
                "invalid_request_error",
                f"Invalid search query: {req.query.get('query')!r}",
                param="query",
            )
        key, value = match["key"], re.sub(r"\\(.)", r"\1", match["value"])
        with self.lock:
            data = [
                dict(c)
                for c in self.customers.values()
                if not c.get("deleted")
                and c["id"] not in self.hidden
                and c["metadata"].get(key) == value
            ]
        return json_response(
            {
                "object": "search_result",
                "url": "/v1/customers/search",
                "has_more": False,
                "data": data,
                "next_page": None,
            }
        )
