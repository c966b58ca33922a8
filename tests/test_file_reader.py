"""One reader of record files (:mod:`mdm.domain.files`): ``mdm load``, ``mdm load --initial``
and ``mdm dedupe`` take a file to mean the same records, whatever its id column is called
and whether it is UTF-8 or a Windows-1252 spreadsheet export."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from matching.batch import standardize_columns, table_fields
from matching.settings import default_settings
from matching.table import RecordTable
from mdm.cli import app
from mdm.cli.dedupe_input import read_table
from mdm.domain.files import read_items
from tests.helpers import counts

ROWS = [
    ["c-1", "organization", "Müller Straßenbau GmbH", "Köln", "50667", "DE"],
    ["c-2", "organization", "Café Zoë SARL", "Paris", "75001", "FR"],
    ["c-3", "organization", "Åse Ærø AS", "Århus", "8000", "DK"],
]


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def _stored(engine: Engine, source: str) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT source_id, payload FROM source_record WHERE source = :s"), {"s": source}
        ).all()
    return {sid: json.loads(p) if isinstance(p, str) else p for sid, p in rows}


def _squeezed(output: str) -> str:
    """The output without whitespace or the frame typer draws around an error."""
    return re.sub(r"[\s│╭╮╰╯─]", "", output)


def test_a_windows_1252_file_means_the_same_records_to_load_initial_load_and_dedupe(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    header = ["Record ID", "kind", "Company", "city", "postcode", "country"]
    path = _write(tmp_path / "export.csv", header, ROWS, "cp1252")

    initial = cli_env.invoke(
        app, ["load", "--initial", "-e", "customer", f"crm={path}", "--allow-rejects"]
    )
    plain = cli_env.invoke(
        app, ["load", str(path), "-s", "erp", "-e", "customer", "-q", "--allow-rejects"]
    )
    ids, table = read_table(path, "customer", fields := table_fields(default_settings("customer")))

    assert initial.exit_code == 0, initial.output
    assert plain.exit_code == 0, plain.output
    assert "is not UTF-8" in plain.stderr and "cp1252" in plain.stderr
    by_initial, by_load = _stored(engine, "crm"), _stored(engine, "erp")
    assert by_initial == by_load
    assert by_load["c-1"]["name"] == "Müller Straßenbau GmbH"
    assert by_load["c-1"]["address"] == {"city": "Köln", "postcode": "50667", "country": "DE"}
    assert ids == ["c-1", "c-2", "c-3"]
    expected = RecordTable.from_columns(
        standardize_columns("customer", [by_load[i] for i in ids], fields)
    )
    assert expected.values("org_name") == ["muller strassenbau", "cafe zoe", "ase aero"]
    for name in expected.codes:
        assert table.values(name) == expected.values(name), name


def test_both_id_spellings_and_source_id_first_when_a_file_has_both(tmp_path: Path) -> None:
    fields = table_fields(default_settings("customer"))
    spelled = {
        "source_id": ["source_id", "name"],
        "ID": ["ID", "name"],
        "Source-Id": ["Source-Id", "name"],
        "rec_id": ["rec_id", "name"],
    }
    for label, header in spelled.items():
        path = _write(tmp_path / f"{label}.csv", header, [[" k-1 ", "Acme"]], "utf-8")

        items = list(read_items(path))
        ids, _ = read_table(path, "customer", fields)

        assert [(i.source_id, i.record) for i in items] == [("k-1", {"name": "Acme"})], label
        assert ids == ["k-1"], label
    both = _write(
        tmp_path / "both.csv", ["id", "source_id", "name"], [["7", "s-7", "Acme"]], "utf-8"
    )
    lines = tmp_path / "both.jsonl"
    lines.write_text(json.dumps({"id": "7", "source_id": "s-7", "name": "Acme"}) + "\n")

    assert [i.source_id for i in read_items(both)] == ["s-7"]
    assert read_table(both, "customer", fields)[0] == ["s-7"]
    assert [(i.source_id, i.record) for i in read_items(lines)] == [
        ("s-7", {"id": "7", "name": "Acme"})
    ]
    assert read_table(lines, "customer", fields)[0] == ["s-7"]


def test_dedupe_reads_json_lines_as_load_does(tmp_path: Path) -> None:
    fields = table_fields(default_settings("customer"))
    csv_path = _write(tmp_path / "a.csv", ["id", "name", "city"], [["1", "Acme", "Köln"]], "utf-8")
    lines = tmp_path / "a.jsonl"
    lines.write_text(json.dumps({"id": "1", "name": "Acme", "address": {"city": "Köln"}}) + "\n")

    from_csv, from_lines = (
        read_table(csv_path, "customer", fields),
        read_table(lines, "customer", fields),
    )

    assert from_csv[0] == from_lines[0] == ["1"]
    for name in fields:
        assert from_csv[1].values(name) == from_lines[1].values(name), name


def test_a_file_neither_utf8_nor_windows_1252_is_refused_naming_file_and_line(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"source_id,kind,name\nb-1,organization,Acme\nb-2,organization,A\x81B\n")
    before = counts(engine)

    load = cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "customer", "-q"])
    initial = cli_env.invoke(app, ["load", "--initial", "-e", "customer", f"crm={path}"])
    dedupe = cli_env.invoke(app, ["dedupe", str(path), str(tmp_path / "out.csv"), "--no-progress"])

    for result in (load, initial, dedupe):
        assert result.exit_code == 2, result.output
        assert _squeezed(f"{path}: line 3: neither UTF-8 nor Windows-1252") in _squeezed(
            result.output
        )
    assert counts(engine) == before
    assert not (tmp_path / "out.csv").exists()


def test_a_header_without_an_id_column_is_refused_by_load_before_anything_is_written(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = _write(tmp_path / "noid.csv", ["kind", "name"], [["organization", "Acme"]], "utf-8")
    before = counts(engine)

    result = cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "customer", "-q"])

    assert result.exit_code == 2
    assert f"{path}: line 1: the header must have an id column" in result.stderr
    assert counts(engine) == before
