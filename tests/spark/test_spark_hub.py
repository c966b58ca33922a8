"""``mdm load --initial --engine spark`` and ``mdm matching rematch --engine spark``: the
batch matching step on Spark hands the write and the rematch's impact exactly what the
local engine hands them (issue 20).

Run in the Spark lane: ``pytest -m spark -p no:xdist tests/spark``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from matching.settings import default_settings, to_json
from mdm.cli import app

pytestmark = pytest.mark.spark

SPARK = ("--engine", "spark", "--spark-master", "local[2]", "--spark-partitions", "3")


def _files(out: Path) -> dict[str, Path]:
    from benchmarks.initial_load_bench import write_files

    files, _ = write_files(300, 5, out)
    return files


def _load(cli: CliRunner, files: dict[str, Path], *engine: str) -> str:
    for source in files:
        cli.invoke(app, ["sources", "add", source])  # those the migrations did not register
    specs = [f"{s}={p}" for s, p in files.items()]
    out = cli.invoke(
        app, ["load", "--initial", "-e", "customer", *specs, "-q", "--allow-rejects", *engine]
    )
    assert out.exit_code == 0, out.output
    return next(line for line in out.output.splitlines() if "golden records" in line)


def _state(engine: Engine, client: TestClient) -> dict[str, Any]:
    """The hub as a user sees it, keyed by source and source id (golden ids differ)."""
    with engine.connect() as conn:
        records = conn.execute(
            text("SELECT id, source, source_id, golden_id FROM source_record")
        ).all()
        decisions = conn.execute(
            text(
                "SELECT r.source, r.source_id, d.action, d.score, d.settings_version "
                "FROM match_decision d JOIN source_record r ON r.id = d.record_id"
            )
        ).all()
        tasks = conn.execute(text("SELECT kind, status FROM steward_task")).all()
        events = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    members: dict[str, set[tuple[str, str]]] = {}
    for _, source, sid, gid in records:
        members.setdefault(gid, set()).add((source, sid))
    goldens = {}
    for gid, group in members.items():
        body = client.get(f"/api/v1/golden/customer/{gid}").json()
        xrefs = frozenset((x["source"], x["source_id"]) for x in body["xrefs"])
        lineage = {k: (v.get("source"), v.get("source_id")) for k, v in body["lineage"].items()}
        body["attributes"].pop("parent", None)
        goldens[frozenset(group)] = (xrefs, body["attributes"], lineage)
    return {
        "goldens": goldens,
        "decisions": {
            (s, i): (a, None if p is None else round(p, 6), v) for s, i, a, p, v in decisions
        },
        "tasks": sorted(tasks),
        "events": events,
    }


def _wipe(engine: Engine) -> None:
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
            "audit_log",
        ):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM match_settings WHERE version LIKE '%+trained%'"))


def test_an_initial_load_on_spark_writes_what_the_local_engine_writes(
    spark: Any, cli_env: CliRunner, engine: Engine, client: TestClient, tmp_path: Path
) -> None:
    files = _files(tmp_path)
    local_summary = _load(cli_env, files)
    local = _state(engine, client)
    _wipe(engine)

    spark_summary = _load(cli_env, files, *SPARK)

    assert spark_summary.split(" in ")[0] == local_summary.split(" in ")[0]
    assert _state(engine, client) == local
    versions = {v for _, _, v in local["decisions"].values()}
    assert len(versions) == 1 and "+trained" in versions.pop()


def _impact(cli: CliRunner, proposal: Path, report: Path, *engine: str) -> Any:
    out = cli.invoke(
        app,
        ["matching", "rematch", "--settings", str(proposal), "--report", str(report), *engine],
    )
    assert out.exit_code == 0, out.output
    body = json.loads(report.read_bytes())
    body["stats"].pop("seconds")
    lines = out.output.replace(str(report), "REPORT").splitlines()
    return body, [line for line in lines if not line.startswith("  took")]


def test_a_rematch_preview_on_spark_reports_the_impact_the_local_engine_reports(
    spark: Any, cli_env: CliRunner, tmp_path: Path
) -> None:
    _load(cli_env, _files(tmp_path), "--no-train")
    document = to_json(default_settings("customer"))
    proposal = tmp_path / "proposal.json"
    strict = {"link": 0.99999, "review": 0.999}
    proposal.write_text(json.dumps({**document, "version": "customer/3-x", "thresholds": strict}))

    local = _impact(cli_env, proposal, tmp_path / "local.json")
    on_spark = _impact(cli_env, proposal, tmp_path / "spark.json", *SPARK)

    assert on_spark == local
    counts = local[0]["counts"]
    assert counts["merge"] + counts["split"] + counts["review_open"] > 0  # it changes things


def test_a_missing_engine_is_refused_before_anything_is_read(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    out = cli_env.invoke(
        app, ["load", "--initial", "-e", "customer", "crm=nowhere.csv", "--engine", "ray"]
    )

    assert out.exit_code == 2
    assert "--engine must be one of local, spark" in out.output
