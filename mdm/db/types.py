"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["JsonType", "UtcDateTime", "utcnow"]

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The machine's time, for migrations and tests: the hub's own code reads its clock
    (``uow.clock``, ``container.clock``: :mod:`mdm.clock`) so that tests can set it."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Always-aware UTC datetimes; SQLite stores them naive, so we normalise both ways."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
