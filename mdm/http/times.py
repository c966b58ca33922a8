"""Times from query parameters, as the hub stores them: aware, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from mdm.http.errors import ApiError

__all__ = ["utc_param"]


def utc_param(value: datetime | None, name: str) -> datetime | None:
    """``value`` in UTC (a time without an offset is taken as UTC); a time with no UTC
    equivalent (year 1 at +05:00) is a 422 naming the parameter."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        problem = {"pointer": f"/query/{name}", "message": "no such time in UTC", "code": "range"}
        raise ApiError(422, "invalid_request", f"'{name}' is out of range", [problem]) from exc
