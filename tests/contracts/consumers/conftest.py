"""Consumer tests of our connectors against Pact mock servers of the four target APIs.

Each test declares the interactions one connector scenario needs, runs the real connector
against pact-python's mock server (its Rust core, offline) and, when the test passed, merges
them into ``contracts/pacts/mdm-{kind}-connector-{kind}.json`` (V4; ``MDM_PACT_OUT`` points
elsewhere). An interaction's description is its identity in the file: renaming one leaves the
old entry behind, so delete the file and rerun these tests to regenerate it exactly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pact import Pact

from sync.connectors import Connector, TargetConfig, build_connector

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "test-token"


def pact_dir() -> Path:
    return Path(os.environ.get("MDM_PACT_OUT") or ROOT / "contracts" / "pacts")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_PASSED] = report.passed


_PASSED = pytest.StashKey[bool]()


@pytest.fixture
def pact(request: pytest.FixtureRequest) -> Iterator[Pact]:
    """A V4 pact between this module's connector (consumer) and its API (provider)."""
    provider: str = request.module.PROVIDER
    pact = Pact(f"mdm-{provider}-connector", provider).with_specification("V4")
    yield pact
    if request.node.stash.get(_PASSED, False):
        pact.write_file(pact_dir())


@pytest.fixture
def connect() -> Callable[..., Connector]:
    """``connect(kind, server_url, **config)``: the real connector aimed at a mock server."""

    def build(kind: str, url: object, **overrides: Any) -> Connector:
        credentials = {"token": TOKEN, **overrides.pop("credentials", {})}
        config = TargetConfig(
            name=f"{kind}-pact",
            kind=kind,
            base_url=str(url),
            credentials=credentials,
            **overrides,
        )
        return build_connector(config, timeout=5)

    return build
