"""The GraphQL read API: a graphene 3 schema over the golden-record read model.

Read-only, per-request batched loaders behind every relation, guarded (depth,
page size, cost, roles, personal-data masking), and published as the SDL
contract ``contracts/schema.graphql``.
"""

from __future__ import annotations

from mdm.graphql.http import graphql_router
from mdm.graphql.schema import build_schema

__all__ = ["build_schema", "graphql_router"]
