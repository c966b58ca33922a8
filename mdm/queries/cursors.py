"""One page-cursor codec for every paged read (REST audit and transactions, GraphQL lists).

A cursor is opaque to callers: the URL-safe base64 (unpadded) of a list kind and the
values of the last item shown, joined by a unit separator. :func:`decode` gives the values
back only for a cursor of the same kind and shape, so a cursor of one list never reads as
a position in another; each caller turns ``None`` into its own 4xx.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

__all__ = ["decode", "decode_at", "encode", "encode_at"]

_SEP = "\x1f"


def encode(kind: str, *parts: str) -> str:
    raw = _SEP.join((kind, *parts)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, kind: str, parts: int) -> list[str] | None:
    """The ``parts`` values of a cursor :func:`encode` made for ``kind``; None otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    got = raw.split(_SEP)
    if got[0] != kind or len(got) != parts + 1:
        return None
    return got[1:]


def encode_at(kind: str, at: datetime, row_id: int | str) -> str:
    """A cursor after the item written ``at`` with id ``row_id`` (time-ordered lists)."""
    return encode(kind, at.isoformat(), str(row_id))


def decode_at(cursor: str, kind: str) -> tuple[datetime, str] | None:
    """The ``(at, id)`` of a cursor :func:`encode_at` made for ``kind``; None otherwise."""
    found = decode(cursor, kind, 2)
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found[0]), found[1]
    except ValueError:
        return None
