"""The shipped document of a registry subject, checked against the fingerprint a migration
was written for: a migration writes exactly the document it was reviewed with."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

__all__ = ["shipped_document", "widen_in_place"]

_VERSION = sa.table(
    "registry_version",
    sa.column("subject", sa.String),
    sa.column("version", sa.Integer),
    sa.column("document", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("fingerprint", sa.String),
)


def shipped_document(subject: str, expected: str) -> dict[str, Any]:
    """``canonical/schemas/<subject>.v1.json`` or ``contracts/events/<subject>.json``."""
    package, path = (
        ("contracts", f"events/{subject}.json")
        if subject.startswith("mdm.")
        else ("canonical", f"schemas/{subject}.v1.json")
    )
    document: dict[str, Any] = json.loads(
        resources.files(package).joinpath(path).read_text(encoding="utf-8")
    )
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if hashlib.sha256(text.encode()).hexdigest() != expected:
        raise RuntimeError(f"{package}/{path} is not the document this migration ships")
    return document


def widen_in_place(subject: str, before: str, after: str) -> None:
    """Replace version 1 of ``subject`` by its shipped document ``after``, where the registry
    still holds the document ``before`` (a version someone registered is left alone)."""
    op.execute(
        _VERSION.update()
        .where(
            _VERSION.c.subject == subject,
            _VERSION.c.version == 1,
            _VERSION.c.fingerprint == before,
        )
        .values(document=shipped_document(subject, after), fingerprint=after)
    )
