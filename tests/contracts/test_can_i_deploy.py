"""``mdm contracts can-i-deploy``: the registry's check, then every consumer pact under the
proposed schemas or match settings."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from canonical.schemas import schema_for
from mdm.cli import app
from mdm.cli.contracts.gate import changed_schemas

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
PACTS = ROOT / "contracts" / "pacts"


def proposal(tmp_path: Path, name: str, edit: Callable[[dict[str, Any]], Any]) -> Path:
    document = copy.deepcopy(dict(schema_for("customer", 1).document))
    edit(document["properties"])
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def can_i_deploy(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["contracts", "can-i-deploy", "--pacts", str(PACTS), *args])
    return result.exit_code, result.output


def test_dropping_a_field_consumers_read_is_refused_naming_consumer_and_interaction(
    tmp_path: Path,
) -> None:
    path = proposal(tmp_path, "customer.v2.json", lambda p: p.pop("phone"))

    code, out = can_i_deploy("--schema", f"customer={path}")

    assert code == 1
    assert "customer: property_removed_from_closed_model at /properties/phone" in out
    assert "FAIL mdm-stripe-connector: a read of the latest state of a golden customer" in out
    assert "FAIL mdm-salesforce-connector: an mdm.golden.customer.created.v1 event" in out
    assert "/phone unknown field 'phone'" in out
    assert "ok   sample-app: a read of a golden customer" in out
    assert out.rstrip().endswith("can-i-deploy: NO")


def test_an_additive_change_passes(tmp_path: Path) -> None:
    path = proposal(
        tmp_path, "customer.v2.json", lambda p: p.update(loyalty_tier={"type": "string"})
    )

    code, out = can_i_deploy("--schema", f"customer={path}")

    assert code == 0, out
    assert "schema customer from" in out and "compatible (BACKWARD_TRANSITIVE)" in out
    assert out.rstrip().endswith("can-i-deploy: yes")


def test_a_drop_no_consumer_reads_is_still_refused_by_the_compatibility_check(
    tmp_path: Path,
) -> None:
    path = proposal(tmp_path, "customer.v2.json", lambda p: p.pop("owner"))

    code, out = can_i_deploy("--schema", f"customer={path}")

    assert code == 1
    assert "property_removed_from_closed_model at /properties/owner" in out
    assert "interactions verified" in out
    assert "REFUSED schema customer from" in out


def test_match_settings_that_change_what_consumers_see_are_refused(tmp_path: Path) -> None:
    settings = json.loads((ROOT / "matching" / "settings" / "customer.json").read_text())
    settings["thresholds"]["link"] = 0.9999999
    settings["version"] = "customer/strict"
    path = tmp_path / "customer.json"
    path.write_text(json.dumps(settings))

    code, out = can_i_deploy("--match-settings", str(path))

    assert code == 1
    assert (
        "FAIL sample-app: a GraphQL query for the 360 view of a customer known to two systems"
        in out
    )
    assert "erp/E-1 did not link to the golden customer of crm/C-1" in out


def test_unreadable_proposals_are_usage_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")

    assert can_i_deploy("--schema", "customer")[0] == 2
    assert can_i_deploy("--schema", f"customer={broken}")[0] == 2
    assert can_i_deploy("--match-settings", str(broken))[0] == 2


def test_a_schema_file_differs_when_its_fingerprint_is_not_registered(tmp_path: Path) -> None:
    for entity in ("customer", "product", "price"):
        shipped = ROOT / "canonical" / "schemas" / f"{entity}.v1.json"
        (tmp_path / shipped.name).write_text(json.dumps(json.loads(shipped.read_text()), indent=4))
    v2 = proposal(tmp_path, "customer.v2.json", lambda p: p.update(tier={"type": "string"}))
    (tmp_path / "order.v1.json").write_text("{}")

    assert changed_schemas(tmp_path) == [("customer", v2)]
    assert changed_schemas(ROOT / "canonical" / "schemas") == []
    code, out = can_i_deploy("--changed", "--schemas-dir", str(ROOT / "canonical" / "schemas"))
    assert (code, out.strip()) == (
        0,
        "nothing proposed: no schema file differs from the registered versions",
    )
