"""Signed intake per Standard Webhooks, and setting a source's webhook secret."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from contracts.inbound import sign_standard
from tests.events.events import ACME, at, customer, event_counts, invoice

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"n" * 32).decode()


def put_secret(client: TestClient, source: str, secret: str, scheme: str = "standard-webhooks"):
    return client.put(
        f"/api/v1/sources/{source}/webhook", json={"scheme": scheme, "secret": secret}
    )


def signed(
    app_client: TestClient,
    body: bytes,
    *signatures: str,
    msg_id: str = "msg_1",
    stamp: int | None = None,
):
    """Post ``body`` without an API key, with Standard Webhooks headers."""
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp if stamp is not None else int(time.time())),
        "webhook-signature": " ".join(signatures),
    }
    return app_client.post("/api/v1/sources/billing/events", content=body, headers=headers)


def test_a_signed_request_needs_no_key(client: TestClient) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    assert put_secret(client, "billing", SECRET).status_code == 201
    anonymous = TestClient(client.app)
    body = orjson.dumps([invoice("e1", "C-1", at(1), "INV-1")])
    stamp = int(time.time())

    r = signed(anonymous, body, sign_standard(SECRET, "msg_1", stamp, body), stamp=stamp)

    assert r.status_code == 200, r.text
    assert r.json()["results"][0] | {"index": 0} == {
        "index": 0,
        "id": "e1",
        "status": "stored",
        "type": "invoice.posted",
        "object_id": "INV-1",
        "golden_id": gid,
    }


def test_one_matching_signature_among_several_is_enough(client: TestClient) -> None:
    put_secret(client, "billing", SECRET)
    body = orjson.dumps(invoice("e1", "C-1", at(1), "INV-1"))
    stamp = int(time.time())
    other = sign_standard(NEW_SECRET, "msg_1", stamp, body)
    good = sign_standard(SECRET, "msg_1", stamp, body)

    r = signed(TestClient(client.app), body, "v1a,ignored", other, good, stamp=stamp)

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "parked"


def test_a_bad_or_old_signature_is_401_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    put_secret(client, "billing", SECRET)
    anonymous = TestClient(client.app)
    body = orjson.dumps(invoice("e1", "C-1", at(1), "INV-1"))
    now = int(time.time())
    before = event_counts(engine)

    tampered = signed(anonymous, body + b" ", sign_standard(SECRET, "msg_1", now, body), stamp=now)
    other_id = signed(anonymous, body, sign_standard(SECRET, "msg_2", now, body), stamp=now)
    old = signed(anonymous, body, sign_standard(SECRET, "msg_1", now - 301, body), stamp=now - 301)
    wrong_key = signed(anonymous, body, sign_standard(NEW_SECRET, "msg_1", now, body), stamp=now)

    codes = [r.json()["error"]["code"] for r in (tampered, other_id, old, wrong_key)]
    assert [r.status_code for r in (tampered, other_id, old, wrong_key)] == [401] * 4
    assert codes == ["bad_signature", "bad_signature", "stale_timestamp", "bad_signature"]
    assert event_counts(engine) == before


def test_without_a_secret_set_a_signature_cannot_authenticate(
    client: TestClient, engine: Engine
) -> None:
    body = orjson.dumps(invoice("e1", "C-1", at(1), "INV-1"))
    stamp = int(time.time())

    r = signed(TestClient(client.app), body, sign_standard(SECRET, "m", stamp, body), stamp=stamp)

    assert r.status_code == 401
    assert event_counts(engine)["transactional_event"] == 0


def test_the_replaced_secret_keeps_verifying_while_senders_switch(client: TestClient) -> None:
    put_secret(client, "billing", SECRET)
    r = put_secret(client, "billing", NEW_SECRET)
    anonymous = TestClient(client.app)
    stamp = int(time.time())
    first = orjson.dumps(invoice("e1", "C-1", at(1), "INV-1"))
    second = orjson.dumps(invoice("e2", "C-1", at(1), "INV-2"))

    assert r.status_code == 200 and r.json()["previous_valid_until"] is not None
    assert (
        signed(
            anonymous, first, sign_standard(SECRET, "m1", stamp, first), msg_id="m1", stamp=stamp
        ).status_code
        == 200
    )
    assert (
        signed(
            anonymous,
            second,
            sign_standard(NEW_SECRET, "m2", stamp, second),
            msg_id="m2",
            stamp=stamp,
        ).status_code
        == 200
    )


def test_the_secret_is_stored_sealed_and_never_answered(client: TestClient, engine: Engine) -> None:
    r = put_secret(client, "billing", SECRET)

    assert r.json() == {
        "source": "billing",
        "scheme": "standard-webhooks",
        "secret": {"configured": True},
        "previous_valid_until": None,
    }
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT secret FROM source_webhook")).scalar_one()
    assert SECRET not in stored and SECRET.removeprefix("whsec_") not in stored


def test_setting_a_secret_is_for_admins_and_checks_it(
    client: TestClient, client_as: Callable[..., TestClient], engine: Engine
) -> None:
    steward = client_as("steward")

    forbidden = put_secret(steward, "billing", SECRET)
    short = put_secret(client, "billing", "whsec_" + base64.b64encode(b"x" * 8).decode())
    scheme = put_secret(client, "billing", SECRET, scheme="github")
    unknown = put_secret(client, "nope", SECRET)

    assert forbidden.status_code == 403
    assert (short.status_code, short.json()["error"]["errors"][0]["pointer"]) == (422, "/secret")
    assert (scheme.status_code, scheme.json()["error"]["errors"][0]["pointer"]) == (422, "/scheme")
    assert unknown.status_code == 404
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM source_webhook")).scalar_one() == 0
