"""``/docs``: Swagger UI served from an installed package, so it renders offline; and
``/``, a page of links to everything a running hub serves (it was a 404).

FastAPI's default page loads Swagger UI from a CDN and is blank without one. The
assets come from the ``swagger_ui_bundle`` package (Swagger UI 5, which reads the
OpenAPI 3.1 documents FastAPI writes), read once when the router is built and
served from memory by name, so a request path never reaches the file system.
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from mdm.http.errors import error_body
from mdm.http.responses import JsonResponse

__all__ = ["ASSETS", "docs_router"]

_LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
li{margin:.3rem 0}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>{title}</h1>
<p>Golden records for customers, products and prices, built from every source system.</p>
<ul>
<li><a href="/docs">REST API</a> (Swagger UI;
 the document: <a href="/openapi.json">/openapi.json</a>)</li>
<li><a href="/graphql">GraphQL</a> (GraphiQL in a browser)</li>
<li><a href="/steward">Steward console</a></li>
<li><a href="/health/ready">Readiness</a> and <a href="/health/live">liveness</a></li>
<li><a href="/metrics">Metrics</a> (Prometheus)</li>
<li><a href="/api/v1/events">Event feed</a></li>
</ul>
<p>Every API call needs a key: <code>Authorization: Bearer &lt;key&gt;</code>
(<code>mdm keys create --role admin</code> makes one). The guides are in the project's
<code>docs/</code> (<code>make docs</code> serves them).</p>
</body></html>
"""

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def docs_router(*, title: str, openapi_url: str = "/openapi.json") -> APIRouter:
    assets = {name: (swagger_ui_path / name).read_bytes() for name in ASSETS}
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} · API docs",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
    ).body
    router = APIRouter(include_in_schema=False)
    landing = _LANDING.replace("{title}", html.escape(title)).encode()

    @router.get("/")
    async def home() -> HTMLResponse:
        return HTMLResponse(landing)

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @router.get("/docs/assets/{name}")
    async def docs_asset(name: str) -> Response:
        if name not in assets:
            return JsonResponse(error_body("not_found", f"no docs asset '{name}'"), 404)
        return Response(
            assets[name],
            media_type=ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return router
