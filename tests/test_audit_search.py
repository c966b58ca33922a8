"""Audit log search over REST: who decided what, when and why — by actor, action, time
and words in the reason, newest first, paged by cursor, the reason search bounded."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from canonical.commands import CreateApiKey
from mdm.bootstrap import Container
from mdm.db.repositories import AuditQuery
from tests.helpers import strict

BAD = {"kind": "organization", "name": "Acme", "date_of_birth": "not a date"}


def quarantined(client: TestClient, n: int) -> list[str]:
    """``n`` quarantined payloads (one per source id); their ids."""
    strict(client, "crm")
    ids = []
    for i in range(n):
        r = client.put(f"/api/v1/sources/crm/customer/Q{i}", json={**BAD, "name": f"Acme {i}"})
        assert r.status_code == 422, r.text
        ids.append(r.json()["error"]["quarantine_id"])
    return ids


def discard(client: TestClient, qid: str, reason: str) -> None:
    r = client.post(f"/api/v1/quarantine/{qid}/discard", json={"reason": reason})
    assert r.status_code == 200, r.text


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/audit", params=params)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def steward(container: Container, factory: Callable[[str], TestClient], name: str) -> TestClient:
    secret, _ = container.bus.handle(CreateApiKey(name, ("steward",)))
    return factory(secret)


def test_filters_by_actor_action_and_words_in_the_reason(
    client: TestClient, container: Container, app_client_factory: Callable[[str], TestClient]
) -> None:
    alice, bob = (steward(container, app_client_factory, n) for n in ("alice", "bob"))
    q = quarantined(client, 4)
    discard(alice, q[0], "Test data from the CRM sandbox")
    discard(bob, q[1], "duplicate of a record already fixed")
    discard(alice, q[2], "sandbox again")
    discard(alice, q[3], "100%_sure it is junk")

    by_alice = search(client, actor="alice")
    sandbox = search(client, q="SANDBOX")
    literal = search(client, q="100%_")
    wildcard = search(client, q="%")
    both = search(client, actor="alice", action="quarantine_discarded", q="sandbox")

    assert [e["reason"] for e in by_alice["entries"]] == [
        "100%_sure it is junk",
        "sandbox again",
        "Test data from the CRM sandbox",
    ]
    assert [e["target_id"] for e in sandbox["entries"]] == [q[2], q[0]]
    assert [e["target_id"] for e in literal["entries"]] == [q[3]]
    assert [e["target_id"] for e in wildcard["entries"]] == [q[3]]
    assert [e["actor"] for e in both["entries"]] == ["alice", "alice"]
    assert search(client, action="task_approved")["entries"] == []
    assert (by_alice["next"], by_alice["partial"]) == (None, False)


def test_since_and_until_bound_the_time(client: TestClient) -> None:
    q = quarantined(client, 3)
    for i, qid in enumerate(q):
        discard(client, qid, f"junk {i}")
    at = [e["at"] for e in search(client)["entries"]]  # newest first

    recent = search(client, since=at[1])
    older = search(client, until=at[1])
    middle = search(client, since=at[1], until=at[1])

    assert [e["reason"] for e in recent["entries"]] == ["junk 2", "junk 1"]
    assert [e["reason"] for e in older["entries"]] == ["junk 1", "junk 0"]
    assert [e["reason"] for e in middle["entries"]] == ["junk 1"]


def test_pages_follow_the_cursor_without_gaps_or_repeats(client: TestClient) -> None:
    q = quarantined(client, 5)
    for i, qid in enumerate(q):
        discard(client, qid, f"junk {i}")

    seen: list[str] = []
    page = search(client, limit=2)
    pages = 1
    while True:
        seen += [e["reason"] for e in page["entries"]]
        if page["next"] is None:
            break
        page = search(client, limit=2, cursor=page["next"])
        pages += 1

    assert seen == [f"junk {i}" for i in (4, 3, 2, 1, 0)]
    assert pages == 3


def test_the_reason_search_reads_a_bounded_window_and_says_so(
    client: TestClient, container: Container
) -> None:
    q = quarantined(client, 5)
    for i, qid in enumerate(q):
        discard(client, qid, "the needle" if i == 0 else f"hay {i}")

    def page(before: tuple[datetime, int] | None = None) -> Any:
        query = AuditQuery(text="needle", before=before)
        return container.bus.query(lambda uow: uow.audit.search(query, limit=10, scan=3))

    first = page()
    second = page(first.next)

    assert (first.rows, first.partial) == ([], True)
    assert first.next is not None
    assert [r["reason"] for r in second.rows] == ["the needle"]
    assert (second.next, second.partial) == (None, False)


def test_bad_searches_are_422_naming_the_parameter(client: TestClient) -> None:
    now = datetime.now().astimezone()
    huge = base64.urlsafe_b64encode(f"{now.isoformat()}|{2**64}".encode()).decode()
    cases = {
        "cursor": {"cursor": "not-a-cursor"},
        "/cursor": {"cursor": huge},
        "since": {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()},
        "/since": {"since": "0001-01-01T00:00:00+05:00"},
        "/until": {"until": "9999-12-31T23:59:59-05:00"},
        "/query/until": {"until": "0.5"},
        "/query/since": {"since": "2026-12-01"},
        "q": {"q": "x" * 201},
        "limit": {"limit": 501},
    }
    for name, params in cases.items():
        r = client.get("/api/v1/audit", params=params)
        assert r.status_code == 422, (name, r.text)
        assert name in r.text


def test_readers_cannot_read_the_audit_log(client_as: Callable[..., TestClient]) -> None:
    assert client_as("reader").get("/api/v1/audit").status_code == 403
