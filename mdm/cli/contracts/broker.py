"""Publishing pact files to a Pact Broker (pact-python 4.2 publishes verification results,
not pacts): the Broker's HTTP API through httpx.

``PUT /pacts/provider/{provider}/consumer/{consumer}/version/{version}`` stores a pact for
a consumer version; ``PUT /pacticipants/{consumer}/branches/{branch}/versions/{version}``
records the branch that version is on, which the verifier's ``mainBranch`` selector reads.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from urllib.parse import quote

import httpx

from mdm.cli.contracts.pacts import PROVIDER, PactFile
from mdm.cli.contracts.verify import BrokerSource

__all__ = ["BrokerError", "git_version", "publish_pacts"]


class BrokerError(Exception):
    """The broker refused a publication."""


def git_version() -> tuple[str, str | None]:
    """The current commit (short) and branch, for version and branch defaults."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() or None if done.returncode == 0 else None

    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    return git("rev-parse", "--short", "HEAD") or "unknown", None if branch == "HEAD" else branch


def _client(broker: BrokerSource) -> httpx.Client:
    auth = (broker.username, broker.password or "") if broker.username else None
    headers = {"Authorization": f"Bearer {broker.token}"} if broker.token else {}
    return httpx.Client(base_url=broker.url, headers=headers, auth=auth, timeout=30)


def publish_pacts(pacts: Sequence[PactFile], broker: BrokerSource) -> list[str]:
    """Publish each pact as its consumer's ``broker.version``; one line per pact."""
    lines = []
    with _client(broker) as client:
        for pact in pacts:
            consumer, version = quote(pact.consumer, safe=""), quote(broker.version, safe="")
            body = json.loads(pact.path.read_text(encoding="utf-8"))
            r = client.put(
                f"/pacts/provider/{quote(PROVIDER, safe='')}/consumer/{consumer}/version/{version}",
                json=body,
            )
            if r.status_code >= 300:
                refused = f"the broker refused the pact of {pact.consumer}: {r.status_code}"
                raise BrokerError(refused)
            if broker.branch:
                branch = quote(broker.branch, safe="")
                path = f"/pacticipants/{consumer}/branches/{branch}/versions/{version}"
                client.put(path, json={})
            lines.append(f"published {pact.consumer} {broker.version} to {broker.url}")
    return lines
