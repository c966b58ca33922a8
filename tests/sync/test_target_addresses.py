"""Where targets may point: never the cloud metadata service, and loopback, private,
link-local, CGNAT, unspecified or multicast addresses only inside
MDM_SYNC_ALLOWED_NETWORKS; checked on the URL as given when a target is stored, and on
every address its host resolves to at every connection (issue 18, point 5)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from sync.connectors.egress import AddressRefused, GuardedTransport, resolve
from sync.settings import SyncSettings, get_sync_settings, parse_networks
from tests.helpers import put_ok
from tests.sync.hub import add_target, deliveries, dispatcher

ACME = {"kind": "organization", "name": "Acme GmbH", "address": {"country": "DE"}}
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@pytest.fixture
def allow(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``allow("10.0.0.0/8")`` sets MDM_SYNC_ALLOWED_NETWORKS for this test only."""

    def set_to(ranges: str) -> None:
        monkeypatch.setenv("MDM_SYNC_ALLOWED_NETWORKS", ranges)
        get_sync_settings.cache_clear()

    yield set_to
    get_sync_settings.cache_clear()  # the environment is restored after this


def _put(client: TestClient, base_url: str, name: str = "erp-out") -> httpx.Response:
    body = {"kind": "netsuite", "base_url": base_url, "credentials": {"token": "t"}}
    return client.put(f"/api/v1/sync/targets/{name}", json=body)


def _refused_at(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    [error] = response.json()["error"]["errors"]
    return str(error["pointer"])


@pytest.mark.parametrize(
    "base_url",
    [
        "http://169.254.169.254/latest",
        "http://169.254.169.254.",
        "http://2852039166/",  # 169.254.169.254 as one number, which resolvers accept
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_the_metadata_service_is_refused_even_inside_the_allowed_ranges(
    client: TestClient, allow: Callable[[str], None], base_url: str
) -> None:
    allow("169.254.0.0/16, fd00::/8, ::ffff:0:0/96")

    refused = _put(client, base_url)

    assert _refused_at(refused) == "/base_url"
    assert "cloud metadata" in refused.json()["error"]["errors"][0]["message"]
    assert client.get("/api/v1/sync/targets").json()["targets"] == []


@pytest.mark.parametrize(
    "base_url",
    [
        "http://10.0.0.1:8080",
        "http://192.168.1.20",
        "http://172.16.5.4",
        "http://100.64.0.7",  # CGNAT
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://0.0.0.0",
        "http://224.0.0.1",
        "http://[::1]:9",
        "http://[fe80::1]",
        "http://[fd12:3456::1]",
    ],
)
def test_internal_addresses_are_refused_by_default(
    client: TestClient, allow: Callable[[str], None], base_url: str
) -> None:
    allow("")

    assert _refused_at(_put(client, base_url)) == "/base_url"


def test_a_private_address_is_taken_once_its_range_is_allowed(
    client: TestClient, allow: Callable[[str], None]
) -> None:
    allow("")
    assert _refused_at(_put(client, "http://10.0.0.1:8080")) == "/base_url"

    allow("192.168.0.0/16, 10.0.0.0/8")
    created = _put(client, "http://10.0.0.1:8080")

    assert created.status_code == 201, created.text


def test_ipv6_loopback_is_refused_where_only_ipv4_loopback_is_allowed(
    client: TestClient, allow: Callable[[str], None]
) -> None:
    allow("127.0.0.0/8")
    assert _refused_at(_put(client, "http://[::1]:9")) == "/base_url"

    allow("127.0.0.0/8, ::1/128")
    assert _put(client, "http://[::1]:9").status_code == 201


def test_public_addresses_and_names_are_taken_without_any_allowed_range(
    client: TestClient, allow: Callable[[str], None]
) -> None:
    allow("")

    assert _put(client, "https://8.8.8.8", "one").status_code == 201
    assert _put(client, "https://acme.suitetalk.api.netsuite.com", "two").status_code == 201


def test_an_allowed_range_that_is_not_one_is_refused_when_settings_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MDM_SYNC_ALLOWED_NETWORKS", "10.0.0.0/8, 10.0.0/8")

    with pytest.raises(ValueError, match=r"10\.0\.0/8"):
        SyncSettings()
    assert parse_networks(" 10.1.2.3/8 ,, ::1 ") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )


def test_a_name_resolving_to_loopback_is_refused_at_dispatch_and_dead_lettered(
    client: TestClient, container: Container, standins: Any, allow: Callable[[str], None]
) -> None:
    running = standins("zendesk")
    port = running.url.rsplit(":", 1)[1]
    add_target(client, running, base_url=f"http://localhost:{port}")  # 127.0.0.0/8 allowed
    acme = str(put_ok(client, "erp/customer/E1", ACME)["golden_id"])
    allow("")

    dispatcher(container).run_until_idle()

    assert list(running.app.requests) == []  # nothing sent: not records, not the token
    [dead] = deliveries(client, target="zendesk")
    assert (dead["golden_id"], dead["state"]) == (acme, "dead")
    assert dead["last_error"]["code"] == "address_refused"
    assert "localhost" in dead["last_error"]["message"]
    shown = client.get("/api/v1/sync/targets/zendesk").json()
    assert shown["paused_until"] is not None  # not tried again in a hot loop
    assert shown["pause_reason"].startswith("unusable: ")
    assert "127.0.0.1 is a loopback address" in shown["pause_reason"]


def test_a_name_resolving_to_an_allowed_address_delivers(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    port = running.url.rsplit(":", 1)[1]
    add_target(client, running, base_url=f"http://localhost:{port}")
    acme = str(put_ok(client, "erp/customer/E1", ACME)["golden_id"])

    dispatcher(container).run_until_idle()

    assert list(running.app.counts()) == [acme]


def test_ipv6_loopback_stored_earlier_is_refused_at_dispatch(
    client: TestClient, container: Container, standins: Any, allow: Callable[[str], None]
) -> None:
    running = standins("netsuite")
    allow("127.0.0.0/8, ::1/128")
    add_target(client, running, base_url="http://[::1]:9", readiness={})
    put_ok(client, "erp/customer/E1", ACME)
    allow("127.0.0.0/8")

    dispatcher(container).run_until_idle()

    [dead] = deliveries(client, target="netsuite")
    assert dead["last_error"]["code"] == "address_refused"
    assert "::1 is a loopback address" in dead["last_error"]["message"]


class _Resolver:
    """A DNS stand-in: answers ``answers`` in turn, one list per lookup."""

    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = [[ipaddress.ip_address(a) for a in answer] for answer in answers]
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[Address]:
        self.asked.append(host)
        return self.answers[min(len(self.asked), len(self.answers)) - 1]


def _client(resolver: _Resolver, allowed: str) -> httpx.Client:
    return httpx.Client(transport=GuardedTransport(parse_networks(allowed), resolver=resolver))


def test_every_resolved_address_is_checked_before_anything_is_sent(standins: Any) -> None:
    running = standins("zendesk")
    port = running.url.rsplit(":", 1)[1]
    resolver = _Resolver(["127.0.0.1", "10.1.2.3"])

    with (
        _client(resolver, "127.0.0.0/8") as http,
        pytest.raises(AddressRefused, match=r"10\.1\.2\.3"),
    ):
        http.get(f"http://crm.example.test:{port}/api/v2/organizations")

    assert list(running.app.requests) == []


def test_the_connection_goes_to_the_address_checked_and_rebinding_gets_nowhere(
    standins: Any,
) -> None:
    running = standins("zendesk")
    port = running.url.rsplit(":", 1)[1]
    url = f"http://crm.example.test:{port}/_standin/health"
    resolver = _Resolver(["127.0.0.1"], ["169.254.169.254"])

    with _client(resolver, "127.0.0.0/8, 169.254.0.0/16") as http:
        first = http.get(url, headers={"Connection": "close"})
        with pytest.raises(AddressRefused, match="cloud metadata"):
            http.get(url)  # a new connection: the name now answers the metadata address

    # a name no real resolver knows reached the stand-in: through the address checked
    assert first.status_code == 200 and first.json()["kind"] == "zendesk"
    assert resolver.asked == ["crm.example.test", "crm.example.test"]  # once per connection


def test_the_system_resolver_answers_every_address_of_a_name() -> None:
    assert ipaddress.ip_address("127.0.0.1") in resolve("localhost", 80)
    assert resolve("10.0.0.1", 80) == [ipaddress.ip_address("10.0.0.1")]
