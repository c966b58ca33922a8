"""``mdm`` imports a command's module only when that command runs: ``mdm dedupe`` never
loads the web application, SQLAlchemy or GraphQL; every other command is still there."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from mdm.cli import COMMANDS, _group_of, app

SERVICE_ONLY = (
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "starlette",
    "graphene",
    "graphql",
    "psycopg",
    "mdm.app",
    "mdm.db",
)

PROBE = """
import json, sys
from typer.testing import CliRunner
from mdm.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "modules": sorted(sys.modules)}))
"""


def loaded_by(*args: str) -> tuple[int, list[str]]:
    """Exit code of ``mdm ARGS`` run in a fresh interpreter, and the modules it imported."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return report["exit"], report["modules"]


def service_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(SERVICE_ONLY)]


def test_dedupe_runs_without_importing_the_service(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,kind,name,city,country\n1,organization,Acme Ltd,Leeds,GB\n")

    help_exit, at_help = loaded_by("dedupe", "--help")
    run_exit, at_run = loaded_by(
        "dedupe", str(source), str(tmp_path / "out.csv"), "--no-train", "--no-progress"
    )

    assert (help_exit, run_exit) == (0, 0)
    assert service_modules(at_help) == []
    assert service_modules(at_run) == []
    assert "mdm.cli.dedupe" in at_run
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == "1,1,"


def test_every_command_and_the_plugins_commands_are_still_listed() -> None:
    result = CliRunner().invoke(app, ["--help"])

    assert result.exit_code == 0
    for name in [*COMMANDS, "worker", "targets"]:
        assert f" {name} " in result.output


def test_a_service_command_still_runs_through_the_lazy_group() -> None:
    result = CliRunner().invoke(app, ["matching", "settings", "--help"])
    unknown = CliRunner().invoke(app, ["no-such-command"])

    assert result.exit_code == 0
    assert "thresholds" in result.output
    assert unknown.exit_code == 2


def test_each_module_adds_exactly_the_commands_it_is_listed_for() -> None:
    for module in sorted(set(COMMANDS.values())):
        register = importlib.import_module(f"mdm.cli.{module}").register

        listed = sorted(name for name, owner in COMMANDS.items() if owner == module)

        assert sorted(_group_of(register).commands) == listed, module
