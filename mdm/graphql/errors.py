"""GraphQL errors with stable codes in ``extensions.code``.

Codes: ``UNAUTHENTICATED`` and ``FORBIDDEN`` (the REST 401/403), ``BAD_USER_INPUT``
(an argument out of range, a bad cursor), ``QUERY_TOO_DEEP`` and
``QUERY_TOO_COSTLY`` (the guards), ``GRAPHQL_PARSE_FAILED`` and
``GRAPHQL_VALIDATION_FAILED`` (a query that is not valid against the schema).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

__all__ = ["bad_input", "coded", "forbidden"]


def coded(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def forbidden(role: str) -> GraphQLError:
    return coded(f"this field needs the '{role}' role", "FORBIDDEN", role=role)


def bad_input(message: str, argument: str) -> GraphQLError:
    return coded(message, "BAD_USER_INPUT", argument=argument)
