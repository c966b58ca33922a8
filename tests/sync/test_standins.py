"""The stand-ins themselves: the API behaviour connector tests rely on, and the process mode."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sync.connectors import RetryableError, TargetConfig, build_connector
from tests.sync.outbound import outbound

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer test-token"}
FORM = {**AUTH, "Content-Type": "application/x-www-form-urlencoded"}


def test_stripe_replays_a_key_for_the_same_parameters_and_refuses_it_for_others(standins):
    stripe = standins("stripe")
    headers = {**FORM, "Idempotency-Key": "k-1"}

    first = httpx.post(
        f"{stripe.url}/v1/customers", content="name=A&email=a%40x.example", headers=headers
    )
    again = httpx.post(
        f"{stripe.url}/v1/customers", content="email=a%40x.example&name=A", headers=headers
    )
    other = httpx.post(f"{stripe.url}/v1/customers", content="name=B", headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 400
    assert other.json()["error"]["type"] == "idempotency_error"
    assert len(stripe.app.customers) == 1


def test_a_request_whose_caller_dies_before_the_body_is_complete_changes_nothing(standins):
    """A worker killed between writing headers and body: Stripe never acts on half a request.

    Acting on it (an empty form) would create a customer without the golden id in its
    metadata, under the delivery's idempotency key, and no retry could ever find it."""
    stripe = standins("stripe")
    host, port = stripe.url.removeprefix("http://").split(":")
    body = b"name=A&metadata[mdm_golden_id]=g-1"
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nIdempotency-Key: k-cut\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:6]
        )
    whole = httpx.post(
        f"{stripe.url}/v1/customers", content=body, headers={**FORM, "Idempotency-Key": "k-cut"}
    )

    assert whole.status_code == 200 and "Idempotent-Replayed" not in whole.headers
    assert [c["metadata"] for c in stripe.app.customers.values()] == [{"mdm_golden_id": "g-1"}]


def test_every_stand_in_refuses_a_request_without_credentials(standins):
    paths = {
        "salesforce": ("PATCH", "/services/data/v61.0/sobjects/Account/MDM_Golden_Id__c/g"),
        "stripe": ("POST", "/v1/customers"),
        "netsuite": ("PUT", "/services/rest/record/v1/customer/eid:g"),
        "zendesk": ("POST", "/api/v2/organizations/create_or_update"),
    }
    for kind, (method, path) in paths.items():
        running = standins(kind)

        answer = httpx.request(method, f"{running.url}{path}", json={})

        assert answer.status_code == 401, kind
        assert running.app.counts() == {}


def test_control_endpoints_inject_faults_and_count_records(standins):
    salesforce = standins("salesforce")
    connector = build_connector(salesforce.target())

    injected = httpx.post(
        f"{salesforce.url}/_standin/faults", json={"kind": "status", "status": 503}
    )
    assert injected.status_code == 201
    with pytest.raises(RetryableError):
        connector.push([outbound("g-1")])
    connector.push([outbound("g-1", attempt=2)])
    counts = httpx.get(f"{salesforce.url}/_standin/counts").json()

    assert counts == {"counts": {"g-1": 1}, "duplicates": {}, "total": 1}
    path = "/services/data/v61.0/sobjects/Account/MDM_Golden_Id__c/g-1"
    requests = httpx.get(f"{salesforce.url}/_standin/requests").json()
    assert [r["path"] for r in requests] == [path, path]
    assert httpx.post(f"{salesforce.url}/_standin/reset").status_code == 204
    assert httpx.get(f"{salesforce.url}/_standin/counts").json()["total"] == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def standin_process():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.standins",
            "--kind",
            "netsuite",
            "--port",
            str(port),
            "--instant",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("standin netsuite listening on"), line
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{url}/_standin/health", timeout=0.5)
                break
            except httpx.TransportError:
                continue
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_stand_in_served_as_an_instant_process(standin_process):
    config = TargetConfig(
        name="erp", kind="netsuite", base_url=standin_process, credentials={"token": "test-token"}
    )

    results = build_connector(config).push([outbound("g-1")])

    assert results[0].ok
    assert httpx.get(f"{standin_process}/_standin/health").json() == {
        "kind": "netsuite",
        "instant": True,
    }
    assert httpx.get(f"{standin_process}/_standin/counts").json()["counts"] == {"g-1": 1}
    refused = httpx.post(f"{standin_process}/_standin/faults", json={"kind": "status"})
    assert refused.status_code == 409
    assert httpx.get(f"{standin_process}/_standin/requests").json() == []


def test_a_window_fault_refuses_every_request_until_retry_after_has_passed(standins):
    zendesk = standins("zendesk")
    zendesk.app.inject("status", status=429, retry_after="1", after=1, window=True)
    path = f"{zendesk.url}/api/v2/organizations/create_or_update"
    body = {"organization": {"name": "A", "external_id": "g-1"}}

    answers = [httpx.post(path, json=body, headers=AUTH) for _ in range(3)]
    zendesk.app.window = (zendesk.app.window[0], 0.0)  # the second is over
    after = httpx.post(path, json=body, headers=AUTH)

    assert [a.status_code for a in answers] == [201, 429, 429]
    assert answers[1].headers["Retry-After"] == answers[2].headers["Retry-After"] == "1"
    assert after.status_code == 200
    logged = list(zendesk.app.requests)
    assert [r["status"] for r in logged] == [201, 429, 429, 200]
    assert all(r["at"] <= r["answered_at"] for r in logged)
