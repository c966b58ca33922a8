"""A typed Python client generated from a live hub's ``/openapi.json`` (openapi-python-
client, scripts/generate_client.py) type-checks under ``mypy --strict`` and round-trips:
it writes a record, reads the golden record and lists the steward tasks, each answer
parsed into its model; a refusal parses into ``ApiError``."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import ADMIN_KEY
from tests.ops.live import serve

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from generate_client import generate  # noqa: E402

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
pytestmark = pytest.mark.skipif(
    not GENERATOR.exists() and shutil.which("openapi-python-client") is None,
    reason="openapi-python-client is not installed (pip install -e '.[dev]')",
)


@pytest.fixture
def hub(app: FastAPI) -> Iterator[str]:
    with serve(app) as (host, port):
        yield f"http://{host}:{port}"


def _client_package(hub: str, into: Path) -> ModuleType:
    """Generate the client from the hub's document into ``into/hub_client``, type-check
    it, and import it."""
    document = httpx.get(f"{hub}/openapi.json", timeout=60).raise_for_status().text
    generate(document, into / "hub_client")
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(into / ".mypy"),
            "hub_client",
        ],
        cwd=into,  # no project configuration: the client is checked on its own
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module("hub_client")
    finally:
        sys.path.remove(str(into))


def _op(package: ModuleType, tag: str, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


def test_the_generated_client_type_checks_and_round_trips(hub: str, tmp_path: Path) -> None:
    package = _client_package(hub, tmp_path)
    models = importlib.import_module(f"{package.__name__}.models")
    # the first write loads the matcher: slow on a busy machine
    client = package.AuthenticatedClient(base_url=hub, token=ADMIN_KEY, timeout=httpx.Timeout(60))
    put_record = _op(package, "ingest", "put_record")

    def put(source: str, source_id: str, record: dict[str, Any]) -> Any:
        body = models.PutRecordBody.from_dict(record)
        return put_record.sync(
            source=source, entity_type="customer", source_id=source_id, client=client, body=body
        )

    created = put(
        "erp", "E1", {"kind": "organization", "name": "Acme Inc", "tax_id": "DE811907981"}
    )
    put("crm", "C1", {"kind": "organization", "name": "Acme", "email": "ap@acme1.example"})
    put(
        "billing",
        "B1",
        {
            "kind": "organization",
            "name": "ACME",
            "tax_id": "DE811907981",
            "email": "ap@acme1.example",
        },
    )
    golden = _op(package, "golden", "golden_record").sync(
        entity_type="customer", golden_id=created.golden_id, client=client
    )
    tasks = _op(package, "stewardship", "tasks").sync(client=client)
    missing = _op(package, "golden", "golden_record").sync(
        entity_type="customer", golden_id="nope", client=client
    )

    assert isinstance(created, models.RecordOutcome)
    assert (created.action, created.source_id, created.record_version) == ("created", "E1", 1)
    assert isinstance(golden, models.GoldenRecord)
    assert golden.id == created.golden_id and golden.status == "active"
    assert golden.attributes["name"] in ("Acme Inc", "ACME")
    assert {(x.source, x.source_id) for x in golden.xrefs} >= {("erp", "E1")}
    assert isinstance(tasks, models.TaskPage)
    assert tasks.total == len(tasks.items) >= 1
    assert {t.kind for t in tasks.items} == {"match_review"}
    assert all(t.source == "billing" and t.status == "open" for t in tasks.items)
    assert isinstance(missing, models.ApiError)
    assert missing.error.code == "not_found"
