"""One page-cursor codec: a cursor reads back only in the list that made it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from mdm.queries import cursors


def test_a_cursor_reads_back_in_its_own_list_only() -> None:
    at = datetime(2026, 12, 7, 14, 32, tzinfo=UTC)

    cursor = cursors.encode_at("audit", at, 42)

    assert cursors.decode_at(cursor, "audit") == (at, "42")
    assert cursors.decode_at(cursor, "transactions") is None
    assert cursors.decode(cursor, "audit", 3) is None
    assert cursors.decode("not a cursor!", "audit", 2) is None


@pytest.mark.parametrize("entry", ["²", "-1", "9" * 30])
def test_an_audit_cursor_with_a_number_that_is_not_an_id_is_a_422(
    client: TestClient, entry: str
) -> None:
    raw = f"audit\x1f2026-12-07T14:32:00+00:00\x1f{entry}".encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")

    r = client.get("/api/v1/audit", params={"cursor": cursor})

    assert r.status_code == 422, r.text
    assert r.json()["error"]["errors"][0]["pointer"] == "/cursor"
