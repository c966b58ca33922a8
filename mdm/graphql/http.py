"""The ``/graphql`` route: POST runs a query, GET serves GraphiQL (no CDN).

Authentication and roles are the REST API's: ``Authorization: Bearer <key>``,
401 without a known key, 403 without the ``reader`` role, both before any
parsing; errors keep the GraphQL shape (``{"errors": [{message, extensions:
{code}}]}``). The GraphiQL page and its vendored bundles are public static
files; the page itself sends the key the user types into its headers editor.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from mdm.bootstrap import Container
from mdm.graphql.executor import Executor, Outcome
from mdm.graphql.guards import unstorable_arguments
from mdm.graphql.schema import build_schema
from mdm.http.auth import authenticate
from mdm.http.errors import ApiError

__all__ = ["HEAVY_AT_ONCE", "INLINE_MAX_COST", "STATIC_FILES", "graphql_router"]

# Every query runs on a worker thread (a slow lock or a large read never stalls the
# event loop); those that may return more than this many objects (the cost guard's
# estimate) run one at a time, so they never hold the small ones up.
INLINE_MAX_COST = 500
HEAVY_AT_ONCE = 1

STATIC_FILES = {
    "graphiql.min.js": "text/javascript",
    "graphiql.min.css": "text/css",
    "react.production.min.js": "text/javascript",
    "react-dom.production.min.js": "text/javascript",
}
_CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}


def _respond(outcome: Outcome) -> Response:
    return Response(
        orjson.dumps(outcome.body), status_code=outcome.status, media_type="application/json"
    )


def _error(status: int, code: str, message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return _respond(Outcome(status, body))


def _static(name: str) -> bytes:
    return resources.files("mdm.graphql").joinpath("static", name).read_bytes()


def _request_fields(raw: bytes) -> tuple[str, dict[str, Any] | None, str | None] | str:
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


def graphql_router(container: Container) -> APIRouter:
    """The router for ``/graphql``, with its own schema and query cache."""
    executor = Executor(build_schema().graphql_schema)
    # Larger queries run on a worker thread one at a time: several at once only take
    # turns on the interpreter lock, and lose time doing so (a page of 50 customers,
    # 16 clients: 53 pages/s in parallel against 88/s one after another).
    heavy = asyncio.Semaphore(HEAVY_AT_ONCE)
    router = APIRouter(tags=["graphql"])
    page = _static("graphiql.html")
    assets = {name: _static(name) for name in STATIC_FILES}

    @router.post("/graphql")
    async def graphql_post(request: Request) -> Response:
        # read first, so the body limit (``mdm.http.middleware``) answers an oversized
        # body with 413 whoever sends it; it is parsed only for a known reader
        raw = await request.body()
        try:
            principal = await authenticate(request)
        except ApiError as exc:
            return _error(exc.status, _CODES.get(exc.status, "BAD_REQUEST"), exc.message)
        if not principal.has("reader"):
            return _error(403, "FORBIDDEN", "reading needs the 'reader' role")
        fields = _request_fields(raw)
        if isinstance(fields, str):
            return _error(400, "BAD_REQUEST", fields)
        planned = executor.plan(*fields)
        if isinstance(planned, Outcome):
            return _respond(planned)
        # a literal holds a NUL or a lone surrogate through a \u escape, or a NUL as is
        # (the JSON body's "\u0000" is a raw NUL in the query text, which the lexer keeps)
        if "\\u" in fields[0] or "\x00" in fields[0] or planned.variables:
            refused = unstorable_arguments(planned.document, planned.variables)
        else:
            refused = []
        if refused:
            return _respond(Outcome(422, {"errors": [e.formatted for e in refused]}))
        if planned.cost <= INLINE_MAX_COST:
            outcome = await run_in_threadpool(executor.execute, container.bus, principal, planned)
            return _respond(outcome)
        async with heavy:
            outcome = await run_in_threadpool(executor.execute, container.bus, principal, planned)
        return _respond(outcome)

    @router.get("/graphql", include_in_schema=False)
    async def graphiql() -> HTMLResponse:
        return HTMLResponse(page)

    @router.get("/graphql/static/{name}", include_in_schema=False)
    async def graphiql_asset(name: str) -> Response:
        if name not in assets:
            return _error(404, "NOT_FOUND", f"no static file '{name}'")
        return Response(
            assets[name],
            media_type=STATIC_FILES[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return router
