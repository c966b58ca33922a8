"""``mdm load``, ``mdm migrate``, ``mdm keys create`` and ``mdm sources`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from mdm.cli import app
from tests.helpers import counts

CSV = """source_id,kind,name,tax_id,email,address_line1,city,postcode,country,segment
A1,organization,Acme Corp,US123,ap@acme.example,1 Market St,San Francisco,94105,US,enterprise
A2,organization,ACME Corporation,us-123,,,,,,
A3,organization,,,,,,,,
A4,organization,Globex,,billing@globex.example,,Springfield,,US,smb
"""


def test_load_csv_reports_what_it_did_and_quarantines_bad_rows(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(CSV)

    result = cli_env.invoke(
        app, ["load", str(path), "--source", "crm", "--entity", "customer", "-q"]
    )

    assert result.exit_code == 1, result.output
    assert "error: 1 of 4 records were rejected (pass --allow-rejects" in result.stderr
    assert "loaded 4 records" in result.output
    lines = {
        ln.split()[0]: int(ln.split()[1])
        for ln in result.output.splitlines()
        if ln.startswith("  ") and not ln.startswith("  /")
    }
    assert lines == {"created": 2, "linked": 1, "rejected": 1}
    # why, by field and rule, with the ids to look for in the file
    assert "refused, by field and rule:" in result.output
    refused = [ln for ln in result.output.splitlines() if ln.startswith("  /")]
    assert refused and all("(e.g. A3)" in ln for ln in refused)
    assert counts(engine, ("source_record", "golden_record", "quarantine")) == {
        "source_record": 3,
        "golden_record": 2,
        "quarantine": 1,
    }


def test_loading_the_same_file_twice_changes_nothing(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(CSV.replace("A3,organization,,,,,,,,\n", ""))
    cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "customer", "-q"])
    before = counts(engine)

    again = cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "customer", "-q"])

    assert "unchanged  3" in again.output
    assert counts(engine) == before


def test_load_json_lines_in_both_shapes(cli_env: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "products.jsonl"
    path.write_text(
        json.dumps({"source_id": "P1", "record": {"sku": "S-1", "name": "One"}})
        + "\n"
        + json.dumps({"id": "P2", "sku": "S-2", "name": "Two"})
        + "\n"
        + "{not json\n"
    )

    result = cli_env.invoke(
        app, ["load", str(path), "-s", "erp", "-e", "product", "-q", "--allow-rejects"]
    )

    assert result.exit_code == 0, result.output
    assert "created    2" in result.output
    assert "rejected   1" in result.output


def test_load_with_unknown_entity_or_source_fails_clearly(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(CSV)

    bad_entity = cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "supplier", "-q"])
    bad_source = cli_env.invoke(app, ["load", str(path), "-s", "hubspot", "-e", "customer", "-q"])

    assert bad_entity.exit_code == 2
    assert "unknown entity type 'supplier'" in bad_entity.output
    assert bad_source.exit_code == 2
    assert "unknown source 'hubspot'" in bad_source.output


def test_keys_create_prints_a_key_that_authenticates(
    cli_env: CliRunner, app_client_factory
) -> None:
    result = cli_env.invoke(app, ["keys", "create", "--role", "source", "--source", "crm"])

    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[0]
    assert key.startswith("mdm_")
    client = app_client_factory(key)
    assert (
        client.put(
            "/api/v1/sources/crm/customer/1", json={"kind": "person", "last_name": "Lovelace"}
        ).status_code
        == 200
    )
    assert (
        client.put(
            "/api/v1/sources/erp/customer/1", json={"kind": "person", "last_name": "Lovelace"}
        ).status_code
        == 403
    )


def test_keys_create_refuses_an_unknown_role(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["keys", "create", "--role", "superuser"])

    assert result.exit_code == 2
    assert "superuser" in result.output


def test_sources_add_then_list(cli_env: CliRunner) -> None:
    added = cli_env.invoke(app, ["sources", "add", "hubspot", "-d", "Marketing CRM"])
    listed = cli_env.invoke(app, ["sources", "list"])

    assert added.exit_code == 0
    assert "hubspot" in listed.output
    assert "Marketing CRM" in listed.output


def _people_csv(count: int) -> str:
    given = ["anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo"]
    family = ["smith", "jones", "brown", "taylor", "wilson", "evans", "thomas"]
    rows = ["source_id,kind,first_name,last_name,date_of_birth,address_line1,postcode,country"]
    for i in range(count):
        person = (
            f"person,{given[i % 8]},{family[i % 7]},19{50 + i % 40}-0{1 + i % 9}-1{i % 10},"
            f"{i} Kings Road,SW{i % 50},GB"
        )
        rows.append(f"P{i},{person}")
        if i % 4 == 0:
            rows.append(f"D{i},{person}")  # the same person again, under another id
    return "\n".join(rows) + "\n"


def _trainings(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            (r[0], r[1])
            for r in conn.exec_driver_sql(
                "SELECT entity_type, version FROM match_settings ORDER BY created_at"
            )
        ]


def test_a_load_trains_first_when_no_version_a_new_source_or_twice_the_records(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    files = {n: tmp_path / f"{n}.csv" for n in ("first", "more", "erp", "big")}
    files["first"].write_text(_people_csv(150))
    files["more"].write_text(_people_csv(40).replace("P", "Q"))
    files["erp"].write_text(_people_csv(40).replace("P", "E"))
    files["big"].write_text(_people_csv(400).replace("P", "R").replace("D", "S"))

    def load(name: str, source: str) -> Any:
        out = cli_env.invoke(app, ["load", str(files[name]), "-s", source, "-e", "customer", "-q"])
        assert out.exit_code == 0, out.output
        return out

    first = load("first", "crm")
    trained = _trainings(engine)
    load("more", "crm")  # 238 records, under twice the 188 seen, from a source seen
    after_more = _trainings(engine)
    load("erp", "erp")  # a source the version never saw
    after_erp = _trainings(engine)
    load("big", "crm")  # 788 records, over twice the 288 seen
    after_big = _trainings(engine)

    assert [e for e, _ in trained] == ["customer"]
    assert trained[0][1].startswith("customer/3+trained.")
    assert "before deciding" in first.stderr
    with engine.connect() as conn:
        versions = {
            v for (v,) in conn.exec_driver_sql("SELECT settings_version FROM match_decision")
        }
    assert trained[0][1] in versions and "customer/3" not in versions
    assert after_more == trained
    assert len(after_erp) == 2 and len(after_big) == 3


def test_no_train_keeps_the_settings_in_use(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(_people_csv(150))

    result = cli_env.invoke(
        app, ["load", str(path), "-s", "crm", "-e", "customer", "-q", "--no-train"]
    )

    assert result.exit_code == 0, result.output
    assert _trainings(engine) == []
