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

import orjson
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from mdm.bootstrap import Container
from mdm.domain.principal import Principal
from mdm.graphql.executor import Executor, Outcome
from mdm.graphql.http_models import GraphQLRequest, GraphQLResponse
from mdm.graphql.schema import build_schema
from mdm.graphql.serving import INLINE_MAX_COST, answer
from mdm.http.auth import BEARER
from mdm.http.middleware import request_var
from mdm.http.openapi import json_body
from mdm.http.refusals import graphql_refusals
from mdm.http.threads import read_lanes

__all__ = ["HEAVY_AT_ONCE", "INLINE_MAX_COST", "STATIC_FILES", "graphql_router"]

# Every query runs on a worker thread (a slow lock or a large read never stalls the
# event loop); those that may return more than INLINE_MAX_COST objects (the cost
# guard's estimate) run one at a time, so they never hold the small ones up.
HEAVY_AT_ONCE = 1

STATIC_FILES = {
    "graphiql.min.js": "text/javascript",
    "graphiql.min.css": "text/css",
    "react.production.min.js": "text/javascript",
    "react-dom.production.min.js": "text/javascript",
}


def _respond(outcome: Outcome) -> Response:
    return Response(
        orjson.dumps(outcome.body), status_code=outcome.status, media_type="application/json"
    )


def _error(status: int, code: str, message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return _respond(Outcome(status, body))


def _served_by(request: Request, principal: Principal) -> None:
    request.state.principal = principal
    served = request_var.get()
    if served is not None:
        served["actor"] = principal.name


def _static(name: str) -> bytes | None:
    file = resources.files("mdm.graphql").joinpath("static", name)
    return file.read_bytes() if file.is_file() else None


_NOT_FETCHED = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>GraphiQL</title></head><body><h1>GraphiQL is not installed here</h1>
<p>Its files are fetched at install (<code>make graphiql</code>, or
<code>python scripts/fetch_graphiql.py</code>, which needs npm). Queries work without it:
<code>POST /graphql</code> with <code>{"query": "..."}</code> and a bearer key.</p>
</body></html>"""


def _graphiql() -> tuple[bytes, dict[str, bytes]]:
    """GraphiQL's page and the files it loads (scripts/fetch_graphiql.py brings them at
    install); without them, a page saying how to get them."""
    found = {name: _static(name) for name in STATIC_FILES}
    assets = {name: data for name, data in found.items() if data is not None}
    page = _static("graphiql.html") if len(assets) == len(found) else None
    return page or _NOT_FETCHED, assets


def graphql_router(container: Container) -> APIRouter:
    """The router for ``/graphql``, with its own schema and query cache."""
    executor = Executor(build_schema().graphql_schema)
    # Larger queries run on a worker thread one at a time: several at once only take
    # turns on the interpreter lock, and lose time doing so (a page of 50 customers,
    # 16 clients: 53 pages/s in parallel against 88/s one after another).
    heavy = asyncio.Semaphore(HEAVY_AT_ONCE)
    lanes = read_lanes(container)
    router = APIRouter(tags=["graphql"])
    page, assets = _graphiql()

    @router.post(
        "/graphql",
        response_model=GraphQLResponse,
        responses=graphql_refusals(400, 401, 403, 405, 413),
        openapi_extra=BEARER | json_body(GraphQLRequest, "A GraphQL request (queries only)"),
    )
    async def graphql_post(request: Request) -> Response:
        # read first, so the body limit (``mdm.http.middleware``) answers an oversized
        # body with 413 whoever sends it; it is parsed only for a known reader
        raw = await request.body()
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _error(401, "UNAUTHENTICATED", "send 'Authorization: Bearer <api key>'")
        # one hop to a worker thread for the key, the plan and (most often) the query
        settled = await lanes.light.run(answer, container, executor, secret.strip(), raw)
        if settled.principal is not None:
            _served_by(request, settled.principal)
        if settled.outcome is not None:
            return _respond(settled.outcome)
        assert settled.plan is not None and settled.principal is not None
        async with heavy:
            outcome = await lanes.heavy.run(
                executor.execute, container.bus, settled.principal, settled.plan
            )
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
