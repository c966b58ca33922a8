"""``--broker-url``: pacts published through the Broker API, verified from the broker, and
the results published by pact-python's verifier."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canonical.schemas import schema_for
from mdm.cli import app
from mdm.cli.contracts.hub import serve
from tests.contracts.fake_broker import FakeBroker, broker_app
from tests.contracts.pact_files import missing_field_pact

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]


def verify_with_broker(pacts: Path, broker: FakeBroker) -> tuple[int, str]:
    with serve(broker_app(broker)) as url:
        result = CliRunner().invoke(
            app,
            [
                "contracts",
                "verify",
                "--pacts",
                str(pacts),
                "--broker-url",
                url,
                "--version",
                "1.2.3",
                "--branch",
                "main",
            ],
            env={"PACT_BROKER_TOKEN": "broker-secret"},
        )
    return result.exit_code, result.output


def test_pacts_and_results_are_published_to_the_broker(tmp_path: Path) -> None:
    shutil.copy(ROOT / "contracts" / "pacts" / "sample-app-golden-record-hub.json", tmp_path)
    shutil.copy(ROOT / "contracts" / "pacts" / "mdm-stripe-connector-stripe.json", tmp_path)
    broker = FakeBroker()

    code, out = verify_with_broker(tmp_path, broker)

    assert code == 0, out
    assert list(broker.pacts) == [("sample-app", "1.2.3")]
    [result] = broker.results
    assert (result["consumer"], result["success"]) == ("sample-app", True)
    assert result["providerApplicationVersion"] == "1.2.3"
    assert ("PUT", "/pacticipants/sample-app/branches/main/versions/1.2.3") in {
        (m, p) for m, p, _ in broker.calls
    }
    assert {auth for _, _, auth in broker.calls} == {"Bearer broker-secret"}


def test_a_failed_verification_is_published_as_failed(tmp_path: Path) -> None:
    broker = FakeBroker()

    code, out = verify_with_broker(missing_field_pact(tmp_path), broker)

    assert code == 1
    assert "FAIL test-app: a read of a field the hub does not serve" in out
    assert [(r["consumer"], r["success"]) for r in broker.results] == [("test-app", False)]


def test_can_i_deploy_verifies_the_brokers_pacts_and_publishes_no_results(
    tmp_path: Path,
) -> None:
    stripe = ROOT / "contracts" / "pacts" / "mdm-stripe-connector-golden-record-hub.json"
    broker = FakeBroker(pacts={("mdm-stripe-connector", "9.9.9"): json.loads(stripe.read_text())})
    proposed = copy.deepcopy(dict(schema_for("customer", 1).document))
    del proposed["properties"]["email"]
    path = tmp_path / "customer.v2.json"
    path.write_text(json.dumps(proposed))
    empty = tmp_path / "no-local-pacts"
    empty.mkdir()

    with serve(broker_app(broker)) as url:
        result = CliRunner().invoke(
            app,
            [
                "contracts",
                "can-i-deploy",
                "--schema",
                f"customer={path}",
                "--pacts",
                str(empty),
                "--broker-url",
                url,
            ],
        )

    assert result.exit_code == 1
    assert "FAIL mdm-stripe-connector: an mdm.golden.customer.created.v1 event" in result.output
    assert broker.results == []
