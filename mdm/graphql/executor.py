"""Parse, validate, guard and execute one GraphQL request.

Parsing and validating a query costs more than running a small one, so the
parsed document, its validation errors and its depth errors are cached per
query text (LRU, :data:`CACHE_SIZE` entries; thread-safe through
``functools.lru_cache``). The cost guard depends on variables and runs per
request unless the operation has no variables, then it is cached too.

Execution is synchronous (graphql-core ``execute_sync``) on the caller's
thread, inside one read-only transaction, so every resolver of one request
sees the same snapshot (on PostgreSQL within READ COMMITTED statement
snapshots; on SQLite one deferred read transaction).

A query holds its connection while it executes, so at most as many queries
execute at once as the engine's pool keeps connections: more would only open
and close overflow connections (costly on SQLite, which sets its pragmas on
every connect) while waiting for the same interpreter lock.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute_sync,
    parse,
    validate,
)

from mdm.bus import MessageBus
from mdm.db.uow import UnitOfWork
from mdm.domain.principal import Principal
from mdm.graphql.context import RequestContext
from mdm.graphql.errors import coded
from mdm.graphql.fast import execution_context_for
from mdm.graphql.guards import MAX_COST, check_depth, estimate_cost, operation_of

__all__ = ["CACHE_SIZE", "MAX_QUERY_CHARS", "Executor", "Outcome", "Plan"]

log = logging.getLogger(__name__)

CACHE_SIZE = 1024
MAX_QUERY_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    variable_free: bool = False
    static_cost: dict[str | None, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    """A parsed, validated and guarded request, ready to execute."""

    document: DocumentNode
    variables: dict[str, Any]
    operation_name: str | None
    cost: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """The HTTP status and the GraphQL response body for one request."""

    status: int
    body: dict[str, Any]


def _errors(status: int, errors: list[GraphQLError] | tuple[GraphQLError, ...]) -> Outcome:
    return Outcome(status, {"errors": [e.formatted for e in errors]})


class Executor:
    def __init__(
        self, schema: GraphQLSchema, *, max_cost: int = MAX_COST, max_concurrent: int = 0
    ) -> None:
        """``max_concurrent``: queries executing at once; 0 means the engine's pool size."""
        self.schema = schema
        self.max_cost = max_cost
        self.max_concurrent = max_concurrent
        self._slots: threading.BoundedSemaphore | None = None
        self.prepare = lru_cache(maxsize=CACHE_SIZE)(self._prepare)
        self.context_class = execution_context_for(schema)

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query)
        except GraphQLError as exc:
            exc.extensions = {"code": "GRAPHQL_PARSE_FAILED"}
            return Prepared(None, (exc,))
        errors = validate(self.schema, document)
        for e in errors:
            e.extensions = {"code": "GRAPHQL_VALIDATION_FAILED"}
        if not errors:
            errors = check_depth(document)
        variable_free = all(
            not getattr(d, "variable_definitions", None) for d in document.definitions
        )
        return Prepared(document, tuple(errors), variable_free)

    def run(
        self,
        bus: MessageBus,
        principal: Principal,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> Outcome:
        """Plan and execute one request on this thread."""
        planned = self.plan(query, variables, operation_name)
        if isinstance(planned, Outcome):
            return planned
        return self.execute(bus, principal, planned)

    def plan(
        self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None
    ) -> Plan | Outcome:
        """Parse, validate and guard (cached per query text): a plan to execute, or the
        error response. Touches no database."""
        if len(query) > MAX_QUERY_CHARS:
            message = f"the query is longer than {MAX_QUERY_CHARS} characters"
            return _errors(400, [coded(message, "BAD_REQUEST")])
        prepared = self.prepare(query)
        if prepared.errors or prepared.document is None:
            return _errors(400, prepared.errors)
        document = prepared.document
        operation = operation_of(document, operation_name)
        if operation is None:
            return _errors(400, [coded("name the operation to run (operationName)", "BAD_REQUEST")])
        if operation.operation is not OperationType.QUERY:
            return _errors(405, [coded("this API is read-only; write through REST", "READ_ONLY")])
        variables = variables or {}
        cost = prepared.static_cost.get(operation_name) if prepared.variable_free else None
        if cost is None:
            cost = estimate_cost(document, operation, variables)
            if prepared.variable_free:
                prepared.static_cost[operation_name] = cost
        if cost > self.max_cost:
            message = (
                f"the query may return up to {cost} objects; the limit is {self.max_cost}"
                " (lower the 'first' arguments)"
            )
            error = coded(message, "QUERY_TOO_COSTLY", cost=cost, maxCost=self.max_cost)
            return _errors(400, [error])
        return Plan(document, variables, operation_name, cost)

    def execute(self, bus: MessageBus, principal: Principal, plan: Plan) -> Outcome:
        """Run a plan in one read-only transaction."""

        def work(uow: UnitOfWork) -> ExecutionResult:
            context = RequestContext(uow.reads, principal, uow.clock.now().date())
            try:
                return execute_sync(
                    self.schema,
                    plan.document,
                    context_value=context,
                    variable_values=plan.variables,
                    operation_name=plan.operation_name,
                    execution_context_class=self.context_class,
                )
            finally:
                context.loaders.close()

        with self._slots_for(bus):
            result = bus.query(work)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [_public(e) for e in result.errors]
        return Outcome(200, body)

    def _slots_for(self, bus: MessageBus) -> threading.BoundedSemaphore:
        if self._slots is None:
            size = self.max_concurrent or getattr(bus.engine.pool, "size", lambda: 8)()
            self._slots = threading.BoundedSemaphore(max(1, int(size)))
        return self._slots


def _public(error: GraphQLError) -> dict[str, Any]:
    """Our coded errors as they are; anything else as an opaque internal error."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError) or error.extensions:
        out = error.formatted
        if not out.get("extensions") and isinstance(original, GraphQLError):
            out["extensions"] = original.extensions or {}
        return out  # type: ignore[return-value]
    log.error("graphql resolver failed", exc_info=original)
    return {
        "message": "internal error",
        "locations": error.formatted.get("locations"),
        "path": error.path,
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }
