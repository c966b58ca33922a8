"""``mdm schema check`` and ``mdm schema register`` as an admin runs them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from canonical.schemas import schema_for
from mdm.cli import app
from tests.helpers import counts

REGISTRY = ("registry_version", "registry_subject", "audit_log")


def schema_file(tmp_path: Path, name: str, edit: Any) -> Path:
    doc = copy.deepcopy(dict(schema_for("customer", 1).document))
    edit(doc["properties"])
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_check_exits_1_naming_the_rule_and_pointer_and_writes_nothing(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = schema_file(tmp_path, "dropped.json", lambda p: p.pop("email"))
    before = counts(engine, REGISTRY)

    result = cli_env.invoke(app, ["schema", "check", "customer", str(path)])

    assert result.exit_code == 1, result.output
    assert "customer: property_removed_from_closed_model at /properties/email" in result.output
    assert "(backward, against version 1)" in result.output
    assert counts(engine, REGISTRY) == before


def test_check_under_another_mode_and_register_of_an_additive_change(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path = schema_file(tmp_path, "tier.json", lambda p: p.update(tier={"type": "string"}))

    checked = cli_env.invoke(app, ["schema", "check", "customer", str(path), "--mode", "full"])
    lenient = cli_env.invoke(app, ["schema", "check", "customer", str(path)])
    registered = cli_env.invoke(app, ["schema", "register", "customer", str(path)])
    again = cli_env.invoke(app, ["schema", "register", "customer", str(path)])

    assert checked.exit_code == 1
    assert "property_added_to_closed_model at /properties/tier (forward" in checked.output
    assert lenient.exit_code == 0
    assert "compatible: would register customer version 2" in lenient.output
    assert registered.exit_code == 0, registered.output
    assert "registered customer version 2" in registered.output
    assert "registered mdm.golden.customer.merged.v1 revision 2" in registered.output
    assert "already registered: customer version 2" in again.output
    assert counts(engine, ("registry_version",)) == {"registry_version": 15 + 5}


def test_register_refuses_with_exit_1_and_a_bad_file_is_exit_2(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    dropped = schema_file(tmp_path, "dropped.json", lambda p: p.pop("phone"))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    malformed = tmp_path / "malformed.json"
    malformed.write_text(json.dumps({"type": 7}))
    before = counts(engine, REGISTRY)

    refused = cli_env.invoke(app, ["schema", "register", "customer", str(dropped)])
    unreadable = cli_env.invoke(app, ["schema", "register", "customer", str(broken)])
    invalid = cli_env.invoke(app, ["schema", "register", "customer", str(malformed)])
    unknown = cli_env.invoke(app, ["schema", "register", "invoice", str(dropped)])

    assert refused.exit_code == 1
    assert "property_removed_from_closed_model at /properties/phone" in refused.output
    assert (unreadable.exit_code, invalid.exit_code, unknown.exit_code) == (2, 2, 2)
    assert "not_a_schema at /type" in invalid.output
    assert counts(engine, REGISTRY) == before


def test_list_and_mode(cli_env: CliRunner) -> None:
    listed = cli_env.invoke(app, ["schema", "list"])
    set_mode = cli_env.invoke(app, ["schema", "mode", "customer", "full_transitive"])
    reset = cli_env.invoke(app, ["schema", "mode", "customer", "default"])

    assert "mdm.golden.price.unmerged.v1" in listed.output
    assert set_mode.output.strip() == "customer: FULL_TRANSITIVE"
    assert reset.output.strip() == "customer: BACKWARD_TRANSITIVE (default)"
