"""The CLI says what went wrong in its exit code: ``mdm load`` with rejected rows, and
``mdm sources add`` with a name the API would refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from mdm.cli import app
from tests.helpers import counts


def jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


GOOD = {"source_id": "G1", "record": {"kind": "organization", "name": "Initech"}}
SCHEMA_BREACH = {"source_id": "B1", "record": {"kind": "organization"}}
NUL = {"source_id": "N1", "record": {"kind": "organization", "name": "Ini\u0000tech"}}
LOAD = ["-s", "crm", "-e", "customer", "-q"]


def test_a_clean_load_exits_0(cli_env: CliRunner, tmp_path: Path) -> None:
    result = cli_env.invoke(app, ["load", str(jsonl(tmp_path / "a.jsonl", GOOD)), *LOAD])

    assert result.exit_code == 0, result.output
    assert "created    1" in result.output


def test_rejected_rows_make_the_load_exit_1_saying_how_many(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = jsonl(tmp_path / "a.jsonl", GOOD, SCHEMA_BREACH, NUL)

    result = cli_env.invoke(app, ["load", str(path), *LOAD])

    assert result.exit_code == 1, result.output
    assert "error: 2 of 3 records were rejected (pass --allow-rejects" in result.stderr
    assert "rejected   2" in result.stdout
    assert "1 of them hold a NUL character" in result.stdout
    assert counts(engine, ("source_record", "quarantine")) == {
        "source_record": 1,  # the good row stays loaded
        "quarantine": 1,  # the schema breach is kept; the NUL row cannot be
    }


def test_allow_rejects_accepts_a_partial_load(cli_env: CliRunner, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", GOOD, SCHEMA_BREACH)

    result = cli_env.invoke(app, ["load", str(path), *LOAD, "--allow-rejects"])

    assert result.exit_code == 0, result.output
    assert "rejected   1" in result.stdout
    assert "error:" not in result.output


@pytest.mark.parametrize("name", ["Bad Name!", "x", "9lives", "crm\n", "a" * 65, "CRM"])
def test_sources_add_refuses_a_name_the_api_refuses(
    cli_env: CliRunner, name: str, client: object
) -> None:
    result = cli_env.invoke(app, ["sources", "add", name])
    via_api = client.post("/api/v1/sources", json={"name": name})  # type: ignore[attr-defined]

    assert result.exit_code == 2
    assert f"error: '{name}' is not a source name" in result.stderr
    assert name not in cli_env.invoke(app, ["sources", "list"]).output.split()
    if name != "crm\n":  # the API checks with re.match, whose $ lets a final newline by
        assert via_api.status_code == 422


def test_sources_add_takes_the_names_the_api_takes(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["sources", "add", "billing_eu-2", "-d", "EU billing"])

    assert result.exit_code == 0, result.output
    assert "billing_eu-2" in cli_env.invoke(app, ["sources", "list"]).output
