"""``mdm load --entity invoice FILE``: bulk event files with the REST intake's semantics."""

from __future__ import annotations

from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from mdm.cli import app
from tests.events.events import ACME, at, customer, event_counts, invoice, links, payment


def _summary(output: str) -> dict[str, int]:
    return {ln.split()[0]: int(ln.split()[1]) for ln in output.splitlines() if ln.startswith("  ")}


def test_a_file_of_invoice_events_loads_with_dedup_parking_and_quarantine(
    cli_env: CliRunner, client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    lines = [
        orjson.dumps(invoice("e1", "C-1", at(1), "INV-1")),
        orjson.dumps(invoice("e2", "C-1", at(2), "INV-1", kind="invoice.paid")),
        orjson.dumps(invoice("e0", "C-1", at(1), "INV-1", kind="invoice.posted")),
        orjson.dumps(invoice("e3", "C-7", at(1), "INV-7")),
        orjson.dumps(invoice("e1", "C-1", at(1), "INV-1")),
        orjson.dumps(payment("e4", "C-1", at(1), "PAY-1")),
        b'{"id": "e5", "type": ',
    ]
    path = tmp_path / "invoices.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    result = cli_env.invoke(
        app,
        [
            "load",
            str(path),
            "--source",
            "billing",
            "--entity",
            "invoice",
            "-q",
            "--chunk-size",
            "3",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "loaded 7 events" in result.output
    assert _summary(result.output) == {
        "stored": 2,
        "duplicate": 1,
        "parked": 1,
        "stale": 1,
        "rejected": 2,
    }
    assert links(engine) == {"e1": gid, "e2": gid, "e0": gid, "e3": None}
    assert event_counts(engine)["quarantine"] == 2

    again = cli_env.invoke(
        app, ["load", str(path), "--source", "billing", "--entity", "invoice", "-q"]
    )

    assert _summary(again.output) == {"duplicate": 5, "rejected": 2}


def test_an_events_file_of_an_unknown_source_fails_and_writes_nothing(
    cli_env: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(orjson.dumps(invoice("e1", "C-1", at(1), "INV-1")) + b"\n")
    before = event_counts(engine)

    result = cli_env.invoke(
        app, ["load", str(path), "--source", "nope", "--entity", "events", "-q"]
    )

    assert result.exit_code == 2
    assert "unknown source" in result.output
    assert event_counts(engine) == before
