"""Every error leaves the API in one shape, ``{"error": {code, message, errors?}}``,
and domain errors are translated to HTTP here and nowhere else."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from canonical.errors import Conflict, DomainError, InvalidInput, NotFound
from mdm.http.responses import JsonResponse

__all__ = ["ApiError", "error_body", "install_error_handlers"]

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP-level refusal (bad content type, malformed JSON, too large)."""

    def __init__(
        self, status: int, code: str, message: str, errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _status_of(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 422


def _field_error(e: Mapping[str, Any]) -> dict[str, str]:
    """One of FastAPI's validation errors in the hub's shape; a field a body does not
    declare is ``unknown_field``, as in a canonical record."""
    loc = [str(p) for p in e.get("loc", ())]
    if e.get("type") == "extra_forbidden":
        return {
            "pointer": "/" + "/".join(loc),
            "message": f"unknown field '{loc[-1]}'",
            "code": "unknown_field",
        }
    return {
        "pointer": "/" + "/".join(loc),
        "message": e.get("msg", "invalid"),
        "code": e.get("type", "invalid"),
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JsonResponse:
        extra = {"errors": exc.errors} if exc.errors else {}
        return JsonResponse(error_body(exc.code, exc.message, **extra), status_code=exc.status)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JsonResponse:
        extra: dict[str, Any] = {}
        if exc.errors or isinstance(exc, InvalidInput):
            extra["errors"] = [e.as_dict() for e in exc.errors]
        if isinstance(exc, InvalidInput) and exc.quarantine_id:
            extra["quarantine_id"] = exc.quarantine_id
        return JsonResponse(error_body(exc.code, exc.message, **extra), status_code=_status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JsonResponse:
        errors = [_field_error(e) for e in exc.errors()]
        return JsonResponse(
            error_body("invalid_request", "the request is invalid", errors=errors),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JsonResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JsonResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JsonResponse:
        log.exception("unhandled error", exc_info=exc)
        cid = getattr(request.state, "correlation_id", None)
        return JsonResponse(
            error_body("internal_error", "internal error", correlation_id=cid), status_code=500
        )
