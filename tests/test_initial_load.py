"""``mdm load --initial``: every source's file of an entity type at once, through the batch
engine, into a hub that holds none of that type; the state it leaves is the state the
same records sent one by one leave, and everything the hub does later works on it."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from mdm.cli import app
from tests.helpers import counts

COLUMNS = [
    "source_id",
    "kind",
    "name",
    "tax_id",
    "email",
    "phone",
    "address_line1",
    "city",
    "postcode",
    "country",
    "parent",
    "segment",
]

CRM = [
    [
        "A1",
        "organization",
        "Acme Corporation",
        "DE811907980",
        "ap@acme.example",
        "+49 30 1234567",
        "Hauptstrasse 1",
        "Berlin",
        "10115",
        "DE",
        "",
        "enterprise",
    ],
    [
        "G1",
        "organization",
        "Globex GmbH",
        "DE136695976",
        "",
        "+49 89 7654321",
        "Leopoldstrasse 9",
        "Munich",
        "80802",
        "DE",
        "",
        "smb",
    ],
    [
        "S1",
        "organization",
        "Soylent Berlin",
        "",
        "info@soylent.example",
        "",
        "Alexanderplatz 5",
        "Berlin",
        "10178",
        "DE",
        "A1",
        "",
    ],
]
ERP = [
    [
        "E-100",
        "organization",
        "ACME Corporation GmbH",
        "DE811907980",
        "",
        "+49301234567",
        "Hauptstr. 1",
        "Berlin",
        "10115",
        "DE",
        "",
        "",
    ],
    [
        "E-200",
        "organization",
        "Initech AG",
        "DE129273398",
        "",
        "",
        "Bahnhofstrasse 3",
        "Hamburg",
        "20095",
        "DE",
        "",
        "mid",
    ],
]
BILLING = [
    [
        "b_1",
        "organization",
        "Globex GmbH",
        "DE136695976",
        "billing@globex.example",
        "",
        "Leopoldstr. 9",
        "Munich",
        "80802",
        "DE",
        "",
        "",
    ],
    ["b_2", "organization", "", "", "", "", "", "", "", "", "", ""],  # no name: refused
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "crm": write_csv(tmp_path / "crm.csv", CRM),
        "erp": write_csv(tmp_path / "erp.csv", ERP),
        "billing": write_csv(tmp_path / "billing.csv", BILLING),
    }


def initial(cli: CliRunner, files: dict[str, Path], *extra: str) -> Any:
    specs = [f"{s}={p}" for s, p in files.items()]
    return cli.invoke(app, ["load", "--initial", "--entity", "customer", *specs, *extra])


def clusters(engine: Engine) -> set[frozenset[tuple[str, str]]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT source, source_id, golden_id FROM source_record")).all()
    by_golden: dict[str, set[tuple[str, str]]] = {}
    for source, sid, gid in rows:
        by_golden.setdefault(gid, set()).add((source, sid))
    return {frozenset(m) for m in by_golden.values()}


def goldens(client: TestClient, engine: Engine) -> dict[frozenset[tuple[str, str]], Any]:
    """Each golden record as a user reads it, keyed by its members (ids differ by path)."""
    with engine.connect() as conn:
        ids = [
            r[0] for r in conn.execute(text("SELECT id FROM golden_record WHERE status = 'active'"))
        ]
    out = {}
    for gid in ids:
        body = client.get(f"/api/v1/golden/customer/{gid}").json()
        members = frozenset((x["source"], x["source_id"]) for x in body["xrefs"])
        parent = body["attributes"].pop("parent", None)
        out[members] = (body["attributes"], _lineage(body["lineage"]), parent is not None)
    return out


def _lineage(lineage: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.get("source"), v.get("source_id")) for k, v in lineage.items()}


def test_initial_load_clusters_all_sources_at_once_and_reports_it(
    cli_env: CliRunner, files: dict[str, Path], engine: Engine
) -> None:
    out = initial(cli_env, files, "--allow-rejects")

    assert out.exit_code == 0, out.output
    assert "loaded 7 records" in out.output
    assert "4 golden records" in out.output
    assert clusters(engine) == {
        frozenset({("crm", "A1"), ("erp", "E-100")}),
        frozenset({("crm", "G1"), ("billing", "b_1")}),
        frozenset({("crm", "S1")}),
        frozenset({("erp", "E-200")}),
    }
    assert counts(engine, ("quarantine", "outbox", "match_decision")) == {
        "quarantine": 1,
        "outbox": 4,
        "match_decision": 6,
    }
    with engine.connect() as conn:
        links = conn.execute(
            text("SELECT explanation FROM match_decision WHERE action = 'link'")
        ).all()
    explanations = [e if isinstance(e, dict) else json.loads(e) for (e,) in links]
    assert len(explanations) == 2
    for why in explanations:  # each linked record says why, as a decision made one by one
        assert why["match_probability"] >= 0.99
        assert why["comparisons"] and why["shared_keys"]


def test_a_hub_holding_records_of_the_type_is_refused_naming_the_other_commands(
    cli_env: CliRunner, files: dict[str, Path], engine: Engine
) -> None:
    initial(cli_env, files, "--allow-rejects")
    before = counts(engine)

    again = initial(cli_env, files, "--allow-rejects")

    assert again.exit_code == 2
    assert "mdm load FILE" in again.stderr and "mdm matching rematch" in again.stderr
    assert counts(engine) == before


@pytest.mark.parametrize("step", [1, 20_000], ids=["a-golden-record-per-step", "one-step"])
def test_the_state_is_the_state_of_the_same_records_sent_one_by_one(
    cli_env: CliRunner,
    files: dict[str, Path],
    engine: Engine,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    step: int,
) -> None:
    monkeypatch.setattr("mdm.domain.bulk.write.CHUNK_GOLDENS", step)
    initial(cli_env, files, "--allow-rejects", "--no-train")
    bulk = (clusters(engine), goldens(client, engine))
    decisions = _decisions(engine)
    with engine.begin() as conn:
        for table in (
            "match_decision",
            "match_key",
            "source_record_version",
            "golden_version",
            "outbox",
            "quarantine",
            "steward_task",
            "source_record",
            "golden_record",
        ):
            conn.execute(text(f"DELETE FROM {table}"))

    for source, path in files.items():
        cli_env.invoke(
            app,
            [
                "load",
                str(path),
                "-s",
                source,
                "-e",
                "customer",
                "-q",
                "--no-train",
                "--allow-rejects",
            ],
        )

    assert (clusters(engine), goldens(client, engine)) == bulk
    assert _decisions(engine) == decisions


def _decisions(engine: Engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.source, r.source_id, d.action FROM match_decision d "
                "JOIN source_record r ON r.id = d.record_id"
            )
        ).all()
    return {(s, i): a for s, i, a in rows}


def test_later_puts_and_steward_actions_work_on_bulk_loaded_records(
    cli_env: CliRunner, files: dict[str, Path], engine: Engine, client: TestClient
) -> None:
    initial(cli_env, files, "--allow-rejects")
    acme = client.get("/api/v1/sources/crm/customer/A1").json()["golden_id"]
    initech = client.get("/api/v1/sources/erp/customer/E-200").json()["golden_id"]

    update = client.put(
        "/api/v1/sources/crm/customer/A1",
        json={
            "kind": "organization",
            "name": "Acme Corporation",
            "tax_id": "DE811907980",
            "segment": "strategic",
            "address": {"city": "Berlin", "country": "DE"},
        },
    )
    newcomer = client.put(
        "/api/v1/sources/support/customer/Z9",
        json={"kind": "organization", "name": "Acme Corporation GmbH", "tax_id": "DE811907980"},
    )
    merge = client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": acme, "merged": [initech], "reason": "test"},
    )
    unmerge = client.post(
        f"/api/v1/golden/customer/{acme}/unmerge", json={"merged": initech, "reason": "test"}
    )

    assert update.status_code == 200 and update.json()["golden_version"] == 2
    assert newcomer.json()["action"] == "linked" and newcomer.json()["golden_id"] == acme
    assert merge.status_code == 200, merge.text
    assert unmerge.status_code == 200, unmerge.text
    golden = client.get(f"/api/v1/golden/customer/{acme}").json()
    assert golden["attributes"]["segment"] == "strategic"
    assert {(x["source"], x["source_id"]) for x in golden["xrefs"]} == {
        ("crm", "A1"),
        ("erp", "E-100"),
        ("support", "Z9"),
    }


def test_products_then_prices_load_initially_and_prices_find_their_products(
    cli_env: CliRunner, tmp_path: Path, client: TestClient
) -> None:
    products = tmp_path / "products.jsonl"
    products.write_text(
        "\n".join(
            json.dumps(p)
            for p in [
                {"source_id": "P1", "sku": "WID-1", "name": "Widget"},
                {"source_id": "P2", "sku": "GAD-2", "name": "Gadget"},
            ]
        )
        + "\n"
    )
    erp_products = tmp_path / "erp_products.jsonl"
    erp_products.write_text(json.dumps({"source_id": "9", "sku": "WID1", "name": "WIDGET"}) + "\n")
    prices = tmp_path / "prices.jsonl"
    prices.write_text(
        json.dumps(
            {
                "source_id": "PR1",
                "product": "P1",
                "price_book": "list",
                "currency": "EUR",
                "unit_amount": "10.00",
            }
        )
        + "\n"
    )

    first = cli_env.invoke(
        app, ["load", "--initial", "-e", "product", f"cpq={products}", f"erp={erp_products}"]
    )
    second = cli_env.invoke(app, ["load", "--initial", "-e", "price", f"cpq={prices}"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    widget = client.get("/api/v1/sources/cpq/product/P1").json()["golden_id"]
    assert client.get("/api/v1/sources/erp/product/9").json()["golden_id"] == widget
    price = client.get("/api/v1/sources/cpq/price/PR1").json()["golden_id"]
    body = client.get(f"/api/v1/golden/price/{price}").json()
    assert body["attributes"]["product"] == widget


def test_malformed_specs_and_missing_files_exit_2(cli_env: CliRunner, tmp_path: Path) -> None:
    no_equals = cli_env.invoke(app, ["load", "--initial", "-e", "customer", "crm.csv"])
    missing = cli_env.invoke(app, ["load", "--initial", "-e", "customer", f"crm={tmp_path}/x.csv"])
    plain_two = cli_env.invoke(app, ["load", "a.csv", "b.csv", "-s", "crm", "-e", "customer"])

    assert (no_equals.exit_code, missing.exit_code, plain_two.exit_code) == (2, 2, 2)
    assert "SOURCE=FILE" in no_equals.stderr
    assert "does not exist" in missing.stderr


N_KILLED = 12_000
"""Records of the killed load: enough that writing them lasts long enough to be seen
(the write step got faster; with 6,000 a loaded machine sometimes saw it end first)."""


def test_a_killed_initial_load_leaves_no_records_and_the_same_command_completes(
    database_url: str, tmp_path: Path, engine: Engine
) -> None:
    """One transaction: killed at any moment, the hub holds none of the type or all."""
    rows = [
        [
            f"K{i}",
            "organization",
            f"Company {i} Ltd",
            "",
            f"x{i}@c{i}.example",
            "",
            f"{i} Main St",
            "Leeds",
            "LS1 1AA",
            "GB",
            "",
            "",
        ]
        for i in range(N_KILLED)
    ]
    path = write_csv(tmp_path / "crm.csv", rows)
    env = {**os.environ, "MDM_DATABASE_URL": database_url}
    argv = [
        sys.executable,
        "-c",
        "from mdm.cli import main; main()",
        "load",
        "--initial",
        "-e",
        "customer",
        f"crm={path}",
        "--no-train",
    ]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed_while_writing = _kill_once_writing(proc, engine)

    held = counts(engine, ("source_record",))["source_record"]
    assert killed_while_writing, "the load ended before it was seen writing"
    assert held == 0
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert counts(engine, ("source_record", "golden_record")) == {
        "source_record": N_KILLED,
        "golden_record": N_KILLED,
    }


def _kill_once_writing(proc: subprocess.Popen[bytes], engine: Engine) -> bool:
    """SIGKILL ``proc`` as soon as its write transaction has written (SQLite: its
    write-ahead log grew past 1 MB; PostgreSQL: another session inserts source
    records); True if it was killed so, False if it ended first."""
    wal = Path(f"{engine.url.database}-wal") if engine.dialect.name == "sqlite" else None
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if wal is not None:
            writing = wal.exists() and wal.stat().st_size > 1_000_000
        else:
            with engine.connect() as conn:
                writing = bool(
                    conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                            " AND state = 'active' AND query LIKE 'INSERT INTO %'"
                        )
                    ).scalar_one()
                )
        if writing:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.wait()
    return False


@pytest.mark.parametrize("chunk", [2, 20_000], ids=["forked-chunks", "one-chunk"])
def test_a_file_naming_a_record_twice_keeps_its_last_row(
    cli_env: CliRunner,
    tmp_path: Path,
    engine: Engine,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
) -> None:
    monkeypatch.setattr("mdm.domain.bulk.plan.PART_CHUNK", chunk)
    rows = [
        ["A1", "organization", "Acme Corporation", "", "", "", "", "Berlin", "", "DE", "", "smb"],
        ["B1", "organization", "Bolt Ltd", "", "", "", "", "Leeds", "", "GB", "", ""],
        ["C1", "organization", "Cog SA", "", "", "", "", "Lyon", "", "FR", "", ""],
        ["A1", "organization", "Acme Corporation", "", "", "", "", "Berlin", "", "DE", "", "large"],
        ["D1", "organization", "", "", "", "", "", "", "", "", "", ""],
    ]

    out = initial(cli_env, {"crm": write_csv(tmp_path / "crm.csv", rows)}, "--allow-rejects")

    assert out.exit_code == 0, out.output
    assert counts(engine, ("source_record", "golden_record", "quarantine")) == {
        "source_record": 3,
        "golden_record": 3,
        "quarantine": 1,
    }
    acme = client.get("/api/v1/sources/crm/customer/A1").json()
    assert acme["payload"]["segment"] == "large"
