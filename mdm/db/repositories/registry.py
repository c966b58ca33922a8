"""The schema registry's subjects and versions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update

from mdm.db import tables as t
from mdm.db.repositories.base import Repository, dicts

__all__ = ["SchemaRegistry"]


def _table(row_class: Any) -> Table:
    table: Table = row_class.__table__
    return table


RS = _table(t.SchemaSubjectRow)
RV = _table(t.SchemaVersionRow)
_META = (
    RV.c.version,
    RV.c.fingerprint,
    RV.c.derived_from,
    RV.c.registered_by,
    RV.c.registered_at,
)


# built once: the newest-version read runs in every ingest transaction
_HEAD = (
    select(RV.c.version, RV.c.fingerprint)
    .where(RV.c.subject == bindparam("subject"))
    .order_by(RV.c.version.desc())
    .limit(1)
)


class SchemaRegistry(Repository):
    """Reads are per unit of work: :meth:`head` is asked once per subject and transaction."""

    def __init__(self, conn: Any) -> None:
        super().__init__(conn)
        self._heads: dict[str, tuple[int, str] | None] = {}

    def head(self, subject: str) -> tuple[int, str] | None:
        """The newest version of ``subject`` and its fingerprint (one indexed row)."""
        if subject not in self._heads:
            row = self.conn.execute(_HEAD, {"subject": subject}).first()
            self._heads[subject] = (int(row[0]), str(row[1])) if row else None
        return self._heads[subject]

    def subject(self, subject: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(RS).where(RS.c.subject == subject)
        if lock and self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def subjects(self) -> list[dict[str, Any]]:
        """Every subject with its newest version number, by kind then name."""
        latest = (
            select(RV.c.subject, func.max(RV.c.version).label("latest"))
            .group_by(RV.c.subject)
            .subquery()
        )
        stmt = (
            select(RS, latest.c.latest)
            .join(latest, latest.c.subject == RS.c.subject, isouter=True)
            .order_by(RS.c.kind, RS.c.subject)
        )
        return list(dicts(self.conn.execute(stmt)))

    def versions(self, subject: str) -> list[dict[str, Any]]:
        """Every version's metadata (not the documents), oldest first."""
        stmt = select(*_META).where(RV.c.subject == subject).order_by(RV.c.version)
        return list(dicts(self.conn.execute(stmt)))

    def documents(self, subject: str) -> list[tuple[int, str, dict[str, Any]]]:
        """``(version, fingerprint, document)`` of every version, oldest first."""
        stmt = select(RV.c.version, RV.c.fingerprint, RV.c.document).where(RV.c.subject == subject)
        return [
            (int(v), str(f), dict(d)) for v, f, d in self.conn.execute(stmt.order_by(RV.c.version))
        ]

    def version(self, subject: str, version: int) -> dict[str, Any] | None:
        stmt = select(*_META, RV.c.document).where(RV.c.subject == subject, RV.c.version == version)
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def add_version(self, row: Mapping[str, Any]) -> None:
        """A concurrent registration of the same version number is a :class:`UniqueRace`
        (the use case runs again and checks against that version too)."""
        self._insert_racing(RV, [row])
        self._heads[row["subject"]] = (int(row["version"]), str(row["fingerprint"]))

    def set_mode(self, subject: str, mode: str | None, at: datetime) -> None:
        self.conn.execute(
            update(RS).where(RS.c.subject == subject).values(mode=mode, updated_at=at)
        )
