"""The key lifecycle: list (never a secret), revoke (refused everywhere at once), rotate
(the old key works for a grace period), last use recorded; over REST and the CLI."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from canonical.commands import RevokeApiKey
from mdm.bootstrap import bootstrap
from mdm.cli import app
from mdm.settings import Settings
from tests.conftest import ADMIN_KEY


def _new_key(client: TestClient, *roles: str) -> dict:
    response = client.post("/api/v1/keys", json={"name": "ci", "roles": list(roles)})
    assert response.status_code == 201, response.text
    return response.json()


def test_keys_are_listed_without_secrets_and_with_their_last_use(
    client: TestClient, app_client_factory: Callable[[str], TestClient]
) -> None:
    made = _new_key(client, "reader")
    assert app_client_factory(made["secret"]).get("/api/v1/sources").status_code == 200

    keys = client.get("/api/v1/keys").json()["keys"]

    mine = next(k for k in keys if k["id"] == made["id"])
    assert mine["roles"] == ["reader"] and mine["prefix"] == made["secret"][:10]
    assert mine["last_used_at"] is not None
    assert made["secret"] not in str(keys) and ADMIN_KEY not in str(keys)
    assert "key_hash" not in mine


def test_a_revoked_key_is_refused_at_once(
    client: TestClient, app_client_factory: Callable[[str], TestClient]
) -> None:
    made = _new_key(client, "reader")
    user = app_client_factory(made["secret"])
    assert user.get("/api/v1/sources").status_code == 200  # looked up (and cached) once

    revoked = client.post(f"/api/v1/keys/{made['id']}/revoke")

    assert revoked.status_code == 200
    refused = user.get("/api/v1/sources")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "unknown or revoked API key"
    assert client.post(f"/api/v1/keys/{made['id']}/revoke").status_code == 409


def test_a_key_revoked_by_another_process_is_refused(
    client: TestClient, app_client_factory: Callable[[str], TestClient], settings: Settings
) -> None:
    made = _new_key(client, "reader")
    user = app_client_factory(made["secret"])
    assert user.get("/api/v1/sources").status_code == 200
    other = bootstrap(settings)  # another process's container, its own engine and pool

    other.bus.handle(RevokeApiKey(made["id"], "other-process"))

    deadline = time.monotonic() + 1.0
    status = user.get("/api/v1/sources").status_code
    while status == 200 and time.monotonic() < deadline:  # PostgreSQL: the notification
        time.sleep(0.02)
        status = user.get("/api/v1/sources").status_code
    other.engine.dispose()
    assert status == 401


def test_a_rotated_key_keeps_working_for_its_grace_period_then_not(
    client: TestClient, app_client_factory: Callable[[str], TestClient]
) -> None:
    kept, dropped = _new_key(client, "reader"), _new_key(client, "reader")

    graced = client.post(f"/api/v1/keys/{kept['id']}/rotate", json={"grace_hours": 1}).json()
    at_once = client.post(f"/api/v1/keys/{dropped['id']}/rotate", json={"grace_hours": 0}).json()

    assert app_client_factory(graced["secret"]).get("/api/v1/sources").status_code == 200
    assert app_client_factory(kept["secret"]).get("/api/v1/sources").status_code == 200
    assert app_client_factory(at_once["secret"]).get("/api/v1/sources").status_code == 200
    assert app_client_factory(dropped["secret"]).get("/api/v1/sources").status_code == 401
    listed = {k["id"]: k for k in client.get("/api/v1/keys").json()["keys"]}
    assert listed[kept["id"]]["rotated_to"] == graced["id"]
    assert listed[graced["id"]]["roles"] == ["reader"]
    again = client.post(f"/api/v1/keys/{kept['id']}/rotate", json={})
    assert again.status_code == 409


def test_only_admins_manage_keys_and_unknown_ones_are_404(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    assert client_as("steward").get("/api/v1/keys").status_code == 403
    assert client.post("/api/v1/keys/nope/revoke").status_code == 404
    bad = client.post("/api/v1/keys", json={"name": "x", "roles": ["superuser"]})
    assert bad.status_code == 422


def test_keys_from_the_command_line(
    cli_env: CliRunner, client: TestClient, app_client_factory: Callable[[str], TestClient]
) -> None:
    made = _new_key(client, "steward")

    listed = cli_env.invoke(app, ["keys", "list"])
    rotated = cli_env.invoke(app, ["keys", "rotate", made["id"], "--grace-hours", "0"])
    new_secret = rotated.stdout.splitlines()[0]
    revoked = cli_env.invoke(app, ["keys", "revoke", made["id"]])
    missing = cli_env.invoke(app, ["keys", "revoke", "nope"])

    assert listed.exit_code == 0 and made["id"] in listed.output
    assert made["secret"] not in listed.output
    assert rotated.exit_code == 0 and new_secret.startswith("mdm_")
    assert app_client_factory(new_secret).get("/api/v1/stewardship/tasks").status_code == 200
    assert revoked.exit_code == 0 and f"revoked key {made['id']}" in revoked.output
    assert missing.exit_code == 2 and "no API key 'nope'" in missing.output
