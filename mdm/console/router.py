"""Serves the console page and its assets from package files.

Assets are read once when the router is built (never at import time) and
served from that in-memory table, so a request path can never reach outside
the package. The page's content security policy allows only its own origin.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from mdm.http.errors import error_body

__all__ = ["console_router"]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}


def _walk(node: Traversable, prefix: str = "") -> dict[str, Traversable]:
    found: dict[str, Traversable] = {}
    for child in node.iterdir():
        name = f"{prefix}{child.name}"
        if child.is_dir():
            found |= _walk(child, f"{name}/")
        elif any(name.endswith(ext) for ext in _TYPES):
            found[name] = child
    return found


def _load_assets() -> dict[str, tuple[bytes, str]]:
    root = resources.files("mdm.console").joinpath("static")
    return {
        name: (file.read_bytes(), _TYPES["." + name.rsplit(".", 1)[-1]])
        for name, file in _walk(root).items()
    }


def console_router() -> APIRouter:
    """``/steward`` (the single page) and ``/steward/assets/{name}``."""
    assets = _load_assets()
    page, _ = assets["index.html"]
    router = APIRouter(include_in_schema=False)

    @router.get("/steward")
    @router.get("/steward/")
    async def console_page() -> Response:
        return Response(page, media_type=_TYPES[".html"], headers=_HEADERS)

    @router.get("/steward/assets/{name:path}")
    async def console_asset(name: str) -> Response:
        found = assets.get(name)
        if found is None or name == "index.html":
            return JSONResponse(
                error_body("not_found", f"no console asset '{name}'"), status_code=404
            )
        body, media_type = found
        return Response(body, media_type=media_type, headers=_HEADERS)

    return router
