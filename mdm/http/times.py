"""Times from query parameters, as the hub stores them: aware, in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from mdm.http.errors import ApiError

__all__ = ["IsoTime", "utc_param"]

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: object) -> object:
    """A time is an ISO 8601 date-time: a bare number is not taken for seconds since
    1970, nor a date for its midnight."""
    if isinstance(value, str) and _DATE_TIME.match(value.strip()):
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("an ISO 8601 date-time (2026-12-01T09:30:00Z)")


def _in_utc(value: datetime) -> datetime:
    """The time in UTC (without an offset: taken as UTC); one with no UTC equivalent (year 1
    at +05:00) is refused, so it is a 422 naming the field, not a failed write."""
    try:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("no such time in UTC") from exc


# A request's time, in a query parameter or a body: ISO 8601 text, answered in UTC.
IsoTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_in_utc)]


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
