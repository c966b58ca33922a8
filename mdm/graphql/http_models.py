"""The documented shapes of ``POST /graphql``: the request and a GraphQL response, for
``/openapi.json`` (the schema itself: ``contracts/schema.graphql``, or introspection)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mdm.http.refusals import GraphQLError

__all__ = ["GraphQLRequest", "GraphQLResponse"]


class GraphQLRequest(BaseModel):
    """A GraphQL request: queries only (the API is read-only)."""

    query: str = Field(examples=["{ customers(first: 2) { edges { node { id } } } }"])
    variables: dict[str, Any] | None = None
    operationName: str | None = None


class GraphQLResponse(BaseModel):
    """A GraphQL response: ``data`` in the shape of the query, and the ``errors`` of the
    fields that failed (with ``data`` for the others)."""

    data: dict[str, Any] | None = Field(description="The query's result, in its shape")
    errors: list[GraphQLError] = Field(default=[], description="Only when fields failed")
