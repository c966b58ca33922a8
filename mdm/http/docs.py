"""``/docs``: Swagger UI served from an installed package, so it renders offline.

FastAPI's default page loads Swagger UI from a CDN and is blank without one. The
assets come from the ``swagger_ui_bundle`` package (Swagger UI 5, which reads the
OpenAPI 3.1 documents FastAPI writes), read once when the router is built and
served from memory by name, so a request path never reaches the file system.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from mdm.http.errors import error_body
from mdm.http.responses import JsonResponse

__all__ = ["ASSETS", "docs_router"]

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
