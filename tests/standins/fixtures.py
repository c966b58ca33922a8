"""Pytest fixtures that serve stand-ins over real HTTP.

Use them from a conftest: ``from tests.standins.fixtures import standins  # noqa: F401``.
``standins(kind, **options)`` answers a ``Running`` (the stand-in, its base URL and a
TargetConfig pointing at it); each call gets a fresh stand-in, the servers (one per kind) live
for the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sync.connectors import TargetConfig
from tests.standins import LiveServer, StandIn, make_standin

__all__ = ["Running", "standin_servers", "standins"]

TOKEN = "test-token"
ZENDESK_EMAIL = "agent@example.com"


@dataclass
class Running:
    app: Any
    url: str

    def target(self, **overrides: Any) -> TargetConfig:
        credentials = {"token": TOKEN}
        if self.app.kind == "zendesk":
            credentials["email"] = ZENDESK_EMAIL
        fields: dict[str, Any] = {
            "name": f"{self.app.kind}-test",
            "kind": self.app.kind,
            "base_url": self.url,
            "credentials": credentials,
            "source": {
                "salesforce": "crm",
                "stripe": "billing",
                "netsuite": "erp",
                "zendesk": "support",
            }[self.app.kind],
            **overrides,
        }
        return TargetConfig(**fields)


@pytest.fixture(scope="session")
def standin_servers() -> Iterator[dict[str, LiveServer]]:
    servers: dict[str, LiveServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def standins(standin_servers: dict[str, LiveServer]) -> Callable[..., Running]:
    def start(kind: str, **options: Any) -> Running:
        app: StandIn = make_standin(kind, token=TOKEN, **options)
        server = standin_servers.get(kind)
        if server is None:
            server = standin_servers[kind] = LiveServer(app)
            server.start()
        server.app = app
        return Running(app, server.url)

    return start
