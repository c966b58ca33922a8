"""The FastAPI application, built from a container (never at import time)."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from mdm.api import routes_admin, routes_golden, routes_ingest, routes_matching, routes_steward
from mdm.api.body import refuse_unstorable_body
from mdm.api.docs import docs_router
from mdm.api.errors import install_error_handlers
from mdm.api.middleware import BodyLimitMiddleware, CorrelationIdMiddleware, UrlTextMiddleware
from mdm.api.openapi import install_openapi
from mdm.api.responses import JsonResponse
from mdm.bootstrap import Container
from mdm.console import console_router
from mdm.graphql import graphql_router
from mdm.observability import install_observability

__all__ = ["create_app"]


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="Golden-record hub",
        version="0.1.0",
        description="Master data for customer and revenue operations.",
        default_response_class=JsonResponse,
        dependencies=[Depends(refuse_unstorable_body)],
        docs_url=None,  # served offline by docs_router
        redoc_url=None,
    )
    app.state.container = container
    install_error_handlers(app)
    app.include_router(routes_ingest.router)
    app.include_router(routes_golden.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_steward.router)
    app.include_router(routes_matching.router)
    app.include_router(graphql_router(container))
    app.include_router(console_router())
    app.include_router(docs_router(title=app.title))

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(UrlTextMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=container.settings.max_body_bytes)
    app.add_middleware(CorrelationIdMiddleware)
    install_observability(app, container)
    install_openapi(app)
    return app
