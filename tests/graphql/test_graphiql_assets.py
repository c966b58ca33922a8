"""GraphiQL's files: the hub serves exactly the builds pinned in
``mdm/graphql/static/assets.json`` (minified, fetched at install by
``scripts/fetch_graphiql.py``), and a hub without them still answers queries."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import mdm.graphql.http as graphql_http
from mdm.app import create_app
from mdm.bootstrap import Container
from mdm.graphql.http import STATIC_FILES
from tests.conftest import ADMIN_KEY

ROOT = Path(__file__).resolve().parents[2]
PINS = json.loads((ROOT / "mdm/graphql/static/assets.json").read_text())["packages"]


def test_every_file_graphiql_loads_is_pinned_with_its_sha256() -> None:
    pinned = {f["as"] for pin in PINS.values() for f in pin["files"].values()}

    assert pinned == set(STATIC_FILES)
    assert all(pin["integrity"].startswith("sha512-") for pin in PINS.values())


def test_the_served_files_are_the_pinned_minified_builds(client: TestClient) -> None:
    pins = {f["as"]: f["sha256"] for pin in PINS.values() for f in pin["files"].values()}

    for name, sha256 in pins.items():
        served = client.get(f"/graphql/static/{name}")
        assert served.status_code == 200, name
        assert hashlib.sha256(served.content).hexdigest() == sha256, name
        if name.endswith(".js"):  # minified: long lines (the development bundle's were 36)
            assert len(served.content) / served.content.count(b"\n") > 250, name


def test_the_fetch_script_finds_everything_in_place_without_a_network() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/fetch_graphiql.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_without_the_files_the_page_says_how_to_get_them_and_queries_still_run(
    container: Container, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setattr(graphql_http, "_static", lambda name: None)
    bare = TestClient(create_app(container), headers={"Authorization": f"Bearer {ADMIN_KEY}"})

    page = bare.get("/graphql")
    asset = bare.get("/graphql/static/graphiql.min.js")
    query = bare.post("/graphql", json={"query": "{ customers(first: 1) { totalCount } }"})

    assert page.status_code == 200 and "make graphiql" in page.text
    assert asset.status_code == 404
    assert query.status_code == 200 and query.json() == {"data": {"customers": {"totalCount": 0}}}
