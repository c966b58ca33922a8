"""Reads run on a few threads of their own (mdm.http.threads): a long read (a search, a
page, a tree) takes the heavy lane, so reads by id keep being answered while it runs."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import mdm.api.routes_steward as steward
from tests.conftest import ADMIN_KEY
from tests.helpers import put_ok
from tests.standins.server import LiveServer

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
BY_ID = "query($id: ID!) { customer(id: $id) { id attributes { name } } }"


def test_reads_by_id_are_answered_while_a_long_read_runs(
    app: FastAPI, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    gid = put_ok(client, "crm/customer/C0", {"kind": "organization", "name": "Acme"})["golden_id"]
    entered, release = threading.Event(), threading.Event()
    real = steward.audit_search

    def slow_search(uow: Any, search: Any, *, limit: int) -> Any:
        entered.set()
        release.wait(30)
        return real(uow, search, limit=limit)

    monkeypatch.setattr(steward, "audit_search", slow_search)
    answers: dict[str, httpx.Response] = {}
    with LiveServer(app) as url:
        search = threading.Thread(
            target=lambda: answers.update(
                audit=httpx.get(f"{url}/api/v1/audit", headers=AUTH, timeout=60)
            )
        )
        search.start()
        assert entered.wait(10)
        rest = httpx.get(f"{url}/api/v1/golden/customer/{gid}", headers=AUTH, timeout=10)
        graphql = httpx.post(
            f"{url}/graphql",
            json={"query": BY_ID, "variables": {"id": gid}},
            headers=AUTH,
            timeout=10,
        )
        # both answered while the search was still running
        searching = search.is_alive()
        release.set()
        search.join(30)
    assert searching
    assert rest.status_code == 200 and rest.json()["attributes"]["name"] == "Acme"
    assert graphql.json() == {"data": {"customer": {"id": gid, "attributes": {"name": "Acme"}}}}
    assert answers["audit"].status_code == 200
