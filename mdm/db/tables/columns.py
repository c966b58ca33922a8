"""Column helpers shared by every table module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field

from mdm.db.types import JsonType, UtcDateTime

__all__ = ["bigid", "json_column", "ts"]


def ts(**kw: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kw))


def bigid() -> Any:
    return Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )


def json_column(nullable: bool = False) -> Any:
    return Field(sa_column=Column(JsonType, nullable=nullable))
