"""``mdm contracts verify``: every consumer pact against a real hub, and its failure reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mdm.cli import app
from mdm.cli.contracts.hub import scratch_hub
from mdm.cli.contracts.pacts import load_pacts
from tests.contracts.pact_files import missing_field_pact, unknown_event_pact, unknown_state_pact

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
PACTS = ROOT / "contracts" / "pacts"


def verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["contracts", "verify", *args])
    return result.exit_code, result.output


def test_every_consumer_pact_in_the_repository_verifies_against_a_scratch_hub() -> None:
    interactions = [i for p in load_pacts(PACTS) for i in p.interactions]
    consumers = {i.consumer for i in interactions}

    code, out = verify("--pacts", str(PACTS))

    assert code == 0, out
    assert f"all {len(interactions)} interactions verified" in out
    assert consumers >= {
        "sample-app",
        "mdm-salesforce-connector",
        "mdm-stripe-connector",
        "mdm-netsuite-connector",
        "mdm-zendesk-connector",
    }
    assert any(i.is_message for i in interactions)
    assert "ok   mdm-stripe-connector: an mdm.golden.customer.merged.v1 event" in out


def test_a_pact_that_asks_for_a_field_the_hub_does_not_serve_fails(tmp_path: Path) -> None:
    code, out = verify("--pacts", str(missing_field_pact(tmp_path)))

    assert code == 1
    assert "FAIL test-app: a read of a field the hub does not serve" in out
    assert "BodyMismatch $.attributes: Actual map is missing the following keys: vat_id" in out
    assert "VERIFICATION FAILED: 1 of 1 interactions" in out


def test_an_unknown_provider_state_is_refused_before_anything_runs(tmp_path: Path) -> None:
    code, out = verify("--pacts", str(unknown_state_pact(tmp_path)))

    assert code == 1
    assert (
        "REFUSED test-app: a read in a state the hub does not offer: "
        "the hub offers no provider state 'a golden unicorn exists'"
    ) in out


def test_an_event_the_states_did_not_cause_fails_and_says_why(tmp_path: Path) -> None:
    code, out = verify("--pacts", str(unknown_event_pact(tmp_path)))

    assert code == 1
    assert "FAIL test-app: an mdm.golden.customer.merged.v1 event" in out
    assert "event: the provider states caused no mdm.golden.customer.merged.v1 event" in out


def test_no_pacts_of_the_hub_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copy(PACTS / "mdm-stripe-connector-stripe.json", tmp_path)

    code, out = verify("--pacts", str(tmp_path))

    assert code == 2
    assert "no pacts of golden-record-hub" in out


def test_a_running_hub_is_verified_at_its_url(tmp_path: Path) -> None:
    shutil.copy(PACTS / "sample-app-golden-record-hub.json", tmp_path)

    with scratch_hub() as hub:
        direct = verify(
            "--pacts", str(tmp_path), "--provider-url", hub.url, "--provider-key", hub.admin_key
        )
        proxied_url = hub.url.replace("127.0.0.1", "localhost")
        proxied = verify(
            "--pacts", str(tmp_path), "--provider-url", proxied_url, "--provider-key", hub.admin_key
        )

    assert direct[0] == 0, direct[1]
    assert f"against {hub.url}" in direct[1]
    assert proxied[0] == 0, proxied[1]
    [sample] = load_pacts(tmp_path)
    assert f"all {len(sample.interactions)} interactions verified" in proxied[1]
