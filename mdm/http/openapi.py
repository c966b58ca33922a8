"""The OpenAPI document, told the truth about what the API answers.

FastAPI writes what it can see: a 200 typed ``string`` for every route that returns
our ``JsonResponse``, a 422 in its own ``{"detail": ...}`` shape that the API never
sends, no 401/403/404/409/413, no key, and no request body where a route reads its
body itself (records, batches, GraphQL). The API's refusals all come from one place
(``mdm.http.errors``, the middleware), in one shape, by rules that follow the route's
form, so this module adds them by the same rules, once, after FastAPI's generation:

* every ``/api/v1`` operation needs a bearer key: 401 without a known one, 403
  without the role (or another source's records);
* every operation may answer 422 (a parameter out of range, text in the URL that is
  not UTF-8 or holds a NUL), in the ``Error`` shape;
* a path parameter can name nothing: 404; a body can be too large: 413, malformed:
  400; a body the route reads itself must be JSON: 415;
* a write can conflict with the current state: 409 (except the batch, whose items
  report their own outcome, and find-matches, which writes nothing);
* ``/graphql`` answers in the GraphQL shape, ``{"errors": [...]}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["install_openapi"]

_ERROR = {"$ref": "#/components/schemas/Error"}
_GRAPHQL_ERRORS = {"$ref": "#/components/schemas/GraphQLErrors"}
_SCHEMAS: dict[str, Any] = {
    "FieldError": {
        "type": "object",
        "required": ["pointer", "message", "code"],
        "properties": {
            "pointer": {"type": "string", "description": "JSON pointer of the place"},
            "message": {"type": "string"},
            "code": {"type": "string"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "stable, machine-readable"},
                    "message": {"type": "string"},
                    "errors": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/FieldError"},
                    },
                    "quarantine_id": {"type": ["string", "null"]},
                    "correlation_id": {"type": ["string", "null"]},
                },
            }
        },
    },
    "GraphQLErrors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {"type": "string"},
                        "extensions": {"type": "object"},
                    },
                },
            }
        },
    },
}
_WHY = {
    "400": "The body is not valid JSON, or is empty",
    "401": "No bearer key, or an unknown or revoked one",
    "403": "The key lacks the role this needs (or may not write this source's records)",
    "404": "Nothing by that name: record, task, source, entity type",
    "405": "GraphQL is read-only: mutations are refused",
    "409": "Conflicts with the current state (already decided, already registered, ...)",
    "413": "The body is larger than the limit (1 MiB by default), or the batch too long",
    "414": "The URL is longer than MDM_MAX_URL_BYTES (8 KiB by default)",
    "415": "The body is not application/json",
    "422": "Invalid input; `errors` names each place (/path/..., /query/..., /body/...)",
}
_NO_CONFLICT = {
    ("post", "/api/v1/sources/{source}/{entity_type}/batch"),
    ("post", "/api/v1/match/{entity_type}"),
}
_OBJECT = {"type": "object"}
_VALIDATION = {
    "enum": ["lenient", "strict"],
    "description": "lenient (default): a record whose only faults are malformed optional "
    "values is taken in without them, each kept as a data-quality issue; strict: refused",
}
_REGION = {
    "type": ["string", "null"],
    "pattern": "^[A-Za-z]{2}$",
    "description": "ISO 3166 alpha-2 country national phone numbers are read in when a "
    "record's address names none",
}
_BODIES: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
    ("put", "/api/v1/sources/{source}/{entity_type}/{source_id}"): (
        _OBJECT,
        "The record in the canonical model (GET /api/v1/schemas/{entity_type})",
    ),
    ("post", "/api/v1/sources/{source}/{entity_type}/batch"): (
        {
            "type": "array",
            "items": {
                "description": "{source_id, record}: an item of another shape is reported "
                "as a rejected item",
                "examples": [{"source_id": "C-1", "record": {"kind": "person", "last_name": "Ng"}}],
            },
        },
        "Up to 1,000 items of {source_id, record}; each item is reported on its own, so an "
        "item of any other shape is a rejected item, not a refused batch (413 past 1,000)",
    ),
    ("post", "/api/v1/sources"): (
        {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{1,63}$"},
                "description": {"description": "kept up to its first 300 characters"},
                "default_region": _REGION,
                "validation": _VALIDATION,
            },
        },
        "The source system to register",
    ),
    ("patch", "/api/v1/sources/{name}"): (
        {
            "type": "object",
            "minProperties": 1,
            "properties": {"default_region": _REGION, "validation": _VALIDATION},
        },
        "The source's new default region (null clears it) and/or validation mode",
    ),
    ("post", "/api/v1/match/{entity_type}"): (_OBJECT, "The record to find matches for"),
    ("post", "/api/v1/schemas/{subject}"): (
        {"type": "object", "required": ["schema"], "properties": {"schema": _OBJECT}},
        "The JSON Schema (2020-12) to register as the subject's next version",
    ),
    ("post", "/api/v1/schemas/{subject}/check"): (
        {"type": "object", "required": ["schema"], "properties": {"schema": _OBJECT}},
        "The JSON Schema (2020-12) to check against the registered versions",
    ),
    ("put", "/api/v1/schemas/{subject}/mode"): (
        {
            "type": "object",
            "required": ["mode"],
            "properties": {"mode": {"type": ["string", "null"]}},
        },
        "The compatibility mode (BACKWARD, FORWARD, FULL, their _TRANSITIVE forms, NONE), or null",
    ),
    ("post", "/api/v1/sources/{source}/events"): (
        {"oneOf": [_OBJECT, {"type": "array", "items": {}}]},
        "One transactional event, or an array of up to 1,000 (each reported on its own; 413 "
        "past 1,000)",
    ),
    ("post", "/api/v1/webhooks/stripe/{source}"): (_OBJECT, "A Stripe event, as Stripe sends it"),
    ("put", "/api/v1/sources/{source}/webhook"): (
        {
            "type": "object",
            "required": ["scheme", "secret"],
            "properties": {
                "scheme": {"enum": ["stripe", "standard-webhooks"]},
                "secret": {"type": "string"},
            },
        },
        "How the source signs its webhooks, and the secret (kept encrypted, never shown)",
    ),
    ("put", "/api/v1/sync/targets/{name}"): (
        {
            "type": "object",
            "required": ["kind", "base_url", "credentials"],
            "properties": {
                "kind": {"enum": ["salesforce", "stripe", "netsuite", "zendesk"]},
                "base_url": {"type": "string"},
                "credentials": {"type": "object"},
                "source": {"type": ["string", "null"]},
                "entity_types": {"type": "array", "items": {"type": "string"}},
                "rate_limit_per_s": {"type": ["number", "null"]},
                "mapping": {"type": ["object", "null"]},
                "options": {"type": "object"},
                "readiness": {
                    "type": ["object", "null"],
                    "description": "per entity type, what a golden record needs before it is "
                    'sent: {"customer": {"required": ["payment_terms", "address.line1", '
                    '{"path": "tax_id", "when": {"address.country": ["DE"]}}], '
                    '"parent_delivered": true}}; omitted or null: the kind\'s defaults',
                },
                "enabled": {"type": "boolean"},
            },
        },
        "The target's configuration (credentials are kept encrypted and never shown)",
    ),
    ("post", "/graphql"): (
        {
            "type": "object",
            "required": ["query"],
            "properties": {
                "query": {"type": "string"},
                "variables": {"type": ["object", "null"]},
                "operationName": {"type": ["string", "null"]},
            },
        },
        "A GraphQL request",
    ),
}
_OPTIONAL_BODIES = {
    ("post", "/api/v1/quarantine/{quarantine_id}/resubmit"): (
        {"type": "object", "properties": {"record": _OBJECT, "source_id": {"type": "string"}}},
        "Optional: a corrected record (and source id) to submit instead of the kept payload",
    )
}


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json`` and ``/docs``) the corrected
    document, built once on first use."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = corrected(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def corrected(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(_SCHEMAS)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            _correct(method, path, operation)
    return document


def _correct(method: str, path: str, operation: dict[str, Any]) -> None:
    graphql = path == "/graphql"
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, response in responses.items():
        for media, content in response.get("content", {}).items():
            if media == "application/json" and content.get("schema") in (None, {"type": "string"}):
                content["schema"] = dict(_OBJECT)
        if status == "200" and path == "/metrics":
            response["content"] = {"text/plain": {"schema": {"type": "string"}}}
    codes = {"422", "414"}  # 414: the server's URL limit, before routing
    writes = method in ("post", "put", "patch")
    if path.startswith("/api/v1") or graphql:
        operation["security"] = [{"bearer": []}]
        codes |= {"401", "403"}
    if "{" in path:
        codes.add("404")
    if writes:
        codes |= {"400", "413"}
        if (method, path) not in _NO_CONFLICT and not graphql:
            codes.add("409")
    if (method, path) in _BODIES or (method, path) in _OPTIONAL_BODIES:
        schema, description = _BODIES.get((method, path)) or _OPTIONAL_BODIES[(method, path)]
        operation["requestBody"] = {
            "required": (method, path) in _BODIES,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
        if not graphql:
            codes.add("415")
    elif "requestBody" in operation:
        codes.add("415")  # a body model's route: mdm.http.body.CheckedBodyRoute
    if graphql:
        codes = (codes - {"404", "409"}) | {"405"}
    shape = _GRAPHQL_ERRORS if graphql else _ERROR
    for code in sorted(codes):
        responses[code] = {
            "description": _WHY[code],
            "content": {"application/json": {"schema": shape}},
        }
