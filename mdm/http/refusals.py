"""The shapes of the API's refusals, as models, and ``refusals(...)``: the ``responses=``
a route's decorator declares them with, so ``/openapi.json`` says what each route can
answer and in which shape.

Every refusal comes from one place (:mod:`mdm.http.errors`, the middleware, the server's
protocol) in one shape, :class:`Error`; ``/graphql`` answers its own refusals in the
GraphQL shape, :class:`GraphQLErrors`. These models document; nothing is validated or
filtered through them (the routes answer with :class:`mdm.http.responses.JsonResponse`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Error",
    "ErrorDetail",
    "FieldError",
    "GraphQLError",
    "GraphQLErrors",
    "graphql_refusals",
    "refusals",
]


class FieldError(BaseModel):
    """One fault, at one place of the request."""

    pointer: str = Field(
        description="JSON pointer of the place: /path/..., /query/..., /body/..., or into "
        "the record",
        examples=["/body/reason"],
    )
    message: str
    code: str = Field(description="stable, machine-readable", examples=["string_too_long"])


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable", examples=["not_found"])
    message: str
    errors: list[FieldError] = Field(
        default=[], description="Each fault and its place (invalid input, conflicts)"
    )
    quarantine_id: str | None = Field(
        default=None, description="Where a refused record was kept (GET /api/v1/quarantine/{id})"
    )
    correlation_id: str | None = Field(
        default=None, description="The request's correlation id (internal errors)"
    )


class Error(BaseModel):
    """Every refusal of the API: ``{"error": {code, message, errors?}}``."""

    error: ErrorDetail


class GraphQLError(BaseModel):
    message: str
    locations: list[dict[str, int]] = Field(default=[], description="{line, column} in the query")
    path: list[str | int] = Field(default=[], description="The field that failed")
    extensions: dict[str, Any] = Field(
        default={}, description="``code``: UNAUTHENTICATED, FORBIDDEN, BAD_REQUEST, ..."
    )


class GraphQLErrors(BaseModel):
    """A refusal of ``/graphql``, in the GraphQL shape."""

    model_config = ConfigDict(title="GraphQLErrors")

    errors: list[GraphQLError]


_WHY = {
    400: "The body is not valid JSON, or is empty",
    401: "No bearer key, or an unknown or revoked one",
    403: "The key lacks the role this needs (or may not write this source's records)",
    404: "Nothing by that name: record, task, source, entity type",
    405: "GraphQL is read-only: mutations are refused",
    409: "Conflicts with the current state (already decided, already registered, ...)",
    413: "The body is larger than the limit (1 MiB by default), or the batch too long",
    414: "The URL is longer than MDM_MAX_URL_BYTES (8 KiB by default)",
    415: "The body is not application/json",
    422: "Invalid input; `errors` names each place (/path/..., /query/..., /body/...)",
}


def refusals(*codes: int, **why: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for these status codes, each in the :class:`Error` shape; ``why``
    (``why_409="..."``) words one code's description for this route."""
    return {
        code: {"model": Error, "description": why.get(f"why_{code}", _WHY[code])} for code in codes
    }


def graphql_refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of ``/graphql``: its refusals in the GraphQL shape, except what the
    server and middleware answer before the route (414, and a 422 for URL text), which
    are in the :class:`Error` shape."""
    why = _WHY | {
        400: "Not a GraphQL request, or a query that does not parse, validate, name its "
        "operation or stay within the cost limit",
    }
    out: dict[int | str, dict[str, Any]] = {
        code: {"model": GraphQLErrors, "description": why[code]} for code in codes
    }
    out[414] = {"model": Error, "description": _WHY[414]}
    out[422] = {
        "model": GraphQLErrors | Error,
        "description": "An argument holds a value the hub cannot store (GraphQL shape), or "
        "the URL holds text it cannot read (the API's error shape)",
    }
    return out
