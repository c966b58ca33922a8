"""The one thing about ``/openapi.json`` a route's decorator cannot say with FastAPI's own
arguments: the body of a route that reads its body itself.

Everything else is declared where the route is: its answer (``response_model``), its
refusals (``responses=`` from :func:`mdm.http.refusals.refusals`), its key (the
``bearer`` security scheme, from the auth dependencies). But FastAPI documents a request
body only when it parses the body itself, and several routes must not let it: a record
(``PUT /api/v1/sources/...``) or an event is any JSON the canonical model then judges
field by field (quarantining what it refuses), a batch reports each bad item as a
rejected item instead of refusing the batch, a webhook's signature is computed over the
raw bytes, and ``/graphql`` answers in the GraphQL shape. For those, :func:`json_body`
turns a pydantic model describing the body into the route's ``openapi_extra``.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

__all__ = ["json_body"]


def json_body(shape: Any, description: str, *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` declaring a JSON request body of ``shape`` (a pydantic model or
    any type pydantic reads, e.g. ``list[Item]``), its definitions inlined (a route's
    ``openapi_extra`` cannot add to ``components``)."""
    schema = TypeAdapter(shape).json_schema(ref_template="#/$defs/{model}")
    return {
        "requestBody": {
            "required": required,
            "description": description,
            "content": {"application/json": {"schema": _inlined(schema)}},
        }
    }


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    out: dict[str, Any] = resolve(schema)
    return out
