"""The service layer's promises: commands reach exactly one handler in one transaction,
outbox sequence numbers follow commit order, and only errors that mean "try again"
are retried."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from canonical.commands import IngestItem, IngestRecords
from mdm.bootstrap import Container
from mdm.db.repositories import Sources
from mdm.db.uow import UniqueRace, run_in_transaction
from mdm.queries.admin import event_feed
from tests.helpers import ACME_CRM, counts, put_ok


def _customer(name: str) -> dict[str, Any]:
    return {"kind": "organization", "name": name, "tax_id": f"DE{abs(hash(name)) % 10**9:09d}"}


def test_outbox_rows_carry_the_entity_type_golden_version_and_a_sequence(
    client: TestClient, engine: Engine
) -> None:
    gid = put_ok(client, "crm/customer/C1", ACME_CRM)["golden_id"]
    put_ok(client, "crm/customer/C1", {**ACME_CRM, "segment": "mid-market"})

    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, subject, entity_type, golden_version, event_type"
                " FROM outbox ORDER BY seq"
            )
        ).all()

    assert [tuple(r) for r in rows] == [
        (1, gid, "customer", 1, "mdm.golden.customer.created.v1"),
        (2, gid, "customer", 2, "mdm.golden.customer.updated.v1"),
    ]
    feed = client.get("/api/v1/events", params={"after": 1}).json()
    assert [e["sequence"] for e in feed["events"]] == [2]
    assert feed["events"][0]["event"]["data"]["version"] == 2


def test_a_transaction_that_numbers_its_events_first_commits_first(
    container: Container, engine: Engine
) -> None:
    """The first writer is held after numbering its events, just before its commit; a
    second writer cannot number (or commit) its events until the first has committed,
    so a reader paging by sequence never passes an event that commits later."""
    first_numbered, second_started, release = (threading.Event() for _ in range(3))
    held: list[threading.Thread] = []

    @event.listens_for(engine, "commit")
    def _hold(conn: Any) -> None:
        if threading.current_thread() in held and not release.is_set():
            first_numbered.set()
            release.wait(10)

    def write(name: str) -> None:
        items = (IngestItem(name, _customer(name)),)
        container.bus.handle(IngestRecords("crm", "customer", items, name))

    first = threading.Thread(target=write, args=("first",))
    held.append(first)
    first.start()
    assert first_numbered.wait(10)
    second = threading.Thread(target=lambda: (second_started.set(), write("second")))
    second.start()
    assert second_started.wait(10)
    second.join(0.5)
    seen_while_held = container.bus.query(lambda uow: event_feed(uow, after=0, limit=10))

    assert second.is_alive(), "the second writer committed while the first was not committed"
    assert seen_while_held["events"] == []
    release.set()
    first.join(10)
    second.join(10)
    event.remove(engine, "commit", _hold)
    feed = container.bus.query(lambda uow: event_feed(uow, after=0, limit=10))
    ids = [e["event"]["correlationid"] for e in feed["events"]]
    assert [e["sequence"] for e in feed["events"]] == [1, 2]
    assert ids == ["first", "second"]


def test_an_integrity_error_that_is_no_known_race_is_not_retried(engine: Engine) -> None:
    attempts: list[int] = []

    def insert_duplicate(uow: Any) -> None:
        attempts.append(1)
        from mdm.db.repositories.base import SS
        from mdm.db.types import utcnow

        uow.records.conn.execute(
            SS.insert(), [{"name": "crm", "description": "", "created_at": utcnow()}]
        )

    before = counts(engine)
    with pytest.raises(IntegrityError):
        run_in_transaction(engine, insert_duplicate)

    assert len(attempts) == 1
    assert counts(engine) == before


def test_a_known_unique_race_runs_the_use_case_again(engine: Engine) -> None:
    attempts: list[int] = []

    def work(uow: Any) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise UniqueRace("someone else inserted it first")
        return "done"

    assert run_in_transaction(engine, work) == "done"
    assert len(attempts) == 2


def test_a_source_registered_by_a_concurrent_writer_first_answers_409(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The existence check misses a source another writer has just added (simulated);
    the insert then hits the unique key, the use case runs again, sees it, and refuses."""
    assert client.post("/api/v1/sources", json={"name": "legacy"}).status_code == 201
    real = Sources.exists
    missed: list[str] = []

    def racing_exists(self: Sources, name: str) -> bool:
        if not missed:
            missed.append(name)
            return False
        return real(self, name)

    monkeypatch.setattr(Sources, "exists", racing_exists)
    response = client.post("/api/v1/sources", json={"name": "legacy"})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "source 'legacy' is already registered"
    assert missed == ["legacy"]


def test_a_command_without_a_handler_is_a_programming_error(container: Container) -> None:
    with pytest.raises(TypeError, match="no handler for str"):
        container.bus.handle("not a command")
