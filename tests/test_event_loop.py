"""Nothing blocks the event loop: while a write waits on a database lock, the same server
keeps answering other requests (reads included)."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import ADMIN_KEY
from tests.helpers import put_ok
from tests.standins.server import LiveServer

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


def _hold_write_lock(
    engine: Engine, backend: str, held: threading.Event, release: threading.Event
) -> None:
    # SQLite: the hub's engine begins write transactions with BEGIN IMMEDIATE, which takes
    # the database's write lock at once
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("LOCK TABLE golden_record IN ACCESS EXCLUSIVE MODE"))
        held.set()
        release.wait(30)


def test_a_write_waiting_on_a_lock_does_not_stall_other_requests(
    app: FastAPI, engine: Engine, backend: str, client: Any
) -> None:
    gid = put_ok(client, "crm/customer/C0", {"kind": "organization", "name": "Before"})["golden_id"]
    held, release = threading.Event(), threading.Event()
    locker = threading.Thread(target=_hold_write_lock, args=(engine, backend, held, release))
    with LiveServer(app) as url:
        locker.start()
        assert held.wait(10)
        waiting: dict[str, Any] = {}
        writer = threading.Thread(
            target=lambda: waiting.update(
                put=httpx.put(
                    f"{url}/api/v1/sources/crm/customer/C1",
                    json={"kind": "organization", "name": "Waits"},
                    headers=AUTH,
                    timeout=60,
                )
            )
        )
        reader = threading.Thread(  # on PostgreSQL the lock blocks reading golden records too
            target=lambda: waiting.update(
                get=httpx.get(f"{url}/api/v1/golden/customer/{gid}", headers=AUTH, timeout=60)
            )
        )
        writer.start()
        reader.start()
        time.sleep(0.3)  # both are now waiting (the PUT for the lock) on worker threads

        health = httpx.get(f"{url}/healthz", timeout=10)
        sources = httpx.get(f"{url}/api/v1/sources", headers=AUTH, timeout=10)
        # both answered while the write was still waiting: the loop was free
        still_waiting = writer.is_alive()
        release.set()
        writer.join(30)
        reader.join(30)
        locker.join(10)
    assert still_waiting
    assert health.status_code == 200 and sources.status_code == 200
    assert waiting["put"].status_code == 200 and waiting["get"].status_code == 200
    assert gid
