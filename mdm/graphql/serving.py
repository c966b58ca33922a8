"""One GraphQL request on one worker thread: the key, the plan, the execution.

A request used to cross from the event loop to a worker thread twice (the key
lookup, then the query), each time through anyio's thread pool, whose threads
(as many as there are requests waiting) take turns at the interpreter lock with
the loop. Here the whole request is one hop to the process's read threads
(:mod:`mdm.http.threads`): the key is looked up, the body parsed, the
query planned (cached per query text) and, unless it is a large one, executed,
all on that thread. The loop only reads the body and writes the answer, so a
slow query, a long page or a tree never holds it up (tests/test_event_loop.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from mdm.bootstrap import Container
from mdm.domain.principal import Principal
from mdm.graphql.executor import Executor, Outcome, Plan
from mdm.graphql.guards import unstorable_arguments
from mdm.http.auth import _cache as key_cache

__all__ = ["INLINE_MAX_COST", "Answer", "answer", "request_fields"]

# Queries that may return more than this many objects (the cost guard's estimate) are
# planned on the request's thread but executed after it, one at a time (mdm.graphql.http).
INLINE_MAX_COST = 500


@dataclass(frozen=True, slots=True)
class Answer:
    """What the worker thread settled: the response, or a large plan still to execute;
    and who asked, once known."""

    principal: Principal | None
    outcome: Outcome | None = None
    plan: Plan | None = None


def request_fields(raw: bytes) -> tuple[str, dict[str, Any] | None, str | None] | str:
    """(query, variables, operationName), or the reason the body is unusable."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    query, variables, name = body.get("query"), body.get("variables"), body.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return "'query' must be a non-empty string"
    if variables is not None and not isinstance(variables, dict):
        return "'variables' must be an object"
    if name is not None and not isinstance(name, str):
        return "'operationName' must be a string"
    return query, variables, name


def _error(status: int, code: str, message: str) -> Outcome:
    return Outcome(status, {"errors": [{"message": message, "extensions": {"code": code}}]})


def answer(container: Container, executor: Executor, secret: str, raw: bytes) -> Answer:
    """Everything a request needs, on the calling (worker) thread: 401 for an unknown
    key and 403 without the reader role before the body is even parsed."""
    principal = key_cache(container).lookup(secret)
    if principal is None:
        return Answer(None, _error(401, "UNAUTHENTICATED", "unknown or revoked API key"))
    if not principal.has("reader"):
        return Answer(principal, _error(403, "FORBIDDEN", "reading needs the 'reader' role"))
    fields = request_fields(raw)
    if isinstance(fields, str):
        return Answer(principal, _error(400, "BAD_REQUEST", fields))
    planned = executor.plan(*fields)
    if isinstance(planned, Outcome):
        return Answer(principal, planned)
    # a literal holds a NUL or a lone surrogate through a \u escape, or a NUL as is
    # (the JSON body's "\u0000" is a raw NUL in the query text, which the lexer keeps)
    if "\\u" in fields[0] or "\x00" in fields[0] or planned.variables:
        refused = unstorable_arguments(planned.document, planned.variables)
        if refused:
            return Answer(principal, Outcome(422, {"errors": [e.formatted for e in refused]}))
    if planned.cost > INLINE_MAX_COST:
        return Answer(principal, plan=planned)
    return Answer(principal, executor.execute(container.bus, principal, planned))
