"""Helpers for the GraphQL tests: run a query, put records in, count SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

__all__ = ["gql", "merge_directly", "put", "sql_statements"]


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query; returns the JSON body with the HTTP status under ``_status``."""
    r = client.post("/graphql", json={"query": query, "variables": variables or None})
    body: dict[str, Any] = r.json()
    body["_status"] = r.status_code
    return body


def put(client: TestClient, source: str, entity_type: str, source_id: str, body: dict) -> str:
    r = client.put(f"/api/v1/sources/{source}/{entity_type}/{source_id}", json=body)
    assert r.status_code == 200, r.text
    return str(r.json()["golden_id"])


def merge_directly(engine: Engine, loser: str, survivor: str) -> None:
    """Mark ``loser`` merged into ``survivor`` the way the merge service leaves it."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE golden_record SET status = 'merged', merged_into = :s WHERE id = :l"),
            {"s": survivor, "l": loser},
        )


@contextmanager
def sql_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block to answer the request: BEGIN /
    COMMIT and the API-key lookup (once per request on SQLite, cached on PostgreSQL while
    key changes are listened for) excluded."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        head = statement.lstrip().upper()
        if not head.startswith(("BEGIN", "COMMIT", "ROLLBACK")) and "API_KEY" not in head:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
