"""Key lookups are cached per process and never outlive a change: on a SQLite file the
cache holds while no connection of any process has committed (``PRAGMA data_version``),
on PostgreSQL while the key-change listener is connected. A request answered from the
cache reads nothing from ``api_key``; a revoke by another process is refused at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

BY_ID = '{ customerByXref(source: "crm", sourceId: "K1") { id } }'


@pytest.fixture
def key_reads(engine: Engine) -> Iterator[list[str]]:
    """Statements that read the api_key table, as they run."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM api_key" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)


def _reader(client: TestClient, make: Callable[[str], TestClient]) -> tuple[str, TestClient]:
    made = client.post("/api/v1/keys", json={"name": "cache", "roles": ["reader"]})
    assert made.status_code == 201, made.text
    return made.json()["id"], make(made.json()["secret"])


def test_a_known_key_is_answered_from_the_cache(
    client: TestClient, app_client_factory: Callable[[str], TestClient], key_reads: list[str]
) -> None:
    _, user = _reader(client, app_client_factory)
    assert user.get("/api/v1/sources").status_code == 200  # looked up (and its use recorded)
    assert user.get("/api/v1/sources").status_code == 200
    key_reads.clear()

    assert user.get("/api/v1/sources").status_code == 200
    assert user.post("/graphql", json={"query": BY_ID}).status_code == 200
    assert key_reads == []


def test_on_sqlite_any_commit_sends_the_next_lookup_to_the_database(
    client: TestClient,
    app_client_factory: Callable[[str], TestClient],
    key_reads: list[str],
    backend: str,
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL: only a change to a key empties the cache (NOTIFY)")
    _, user = _reader(client, app_client_factory)
    assert user.get("/api/v1/sources").status_code == 200
    assert user.get("/api/v1/sources").status_code == 200

    # a record put by the admin: a commit that has nothing to do with keys
    put = client.put("/api/v1/sources/crm/customer/K1", json={"kind": "person", "name": "Kim"})
    assert put.status_code in (200, 201)
    key_reads.clear()
    found = user.post("/graphql", json={"query": BY_ID})
    assert found.status_code == 200 and found.json()["data"]["customerByXref"]["id"]
    assert len(key_reads) == 1


def test_a_key_revoked_by_another_process_is_refused_at_once_though_cached(
    client: TestClient,
    app_client_factory: Callable[[str], TestClient],
    database_url: str,
    backend: str,
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL: the key-change notification (tests/test_keys.py)")
    key_id, user = _reader(client, app_client_factory)
    for _ in range(3):
        assert user.get("/api/v1/sources").status_code == 200
        assert user.post("/graphql", json={"query": BY_ID}).status_code == 200

    revoked = subprocess.run(
        [sys.executable, "-m", "mdm.cli", "keys", "revoke", key_id],
        env=os.environ | {"MDM_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert revoked.returncode == 0, revoked.stderr

    assert user.get("/api/v1/sources").status_code == 401
    refused = user.post("/graphql", json={"query": BY_ID})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
