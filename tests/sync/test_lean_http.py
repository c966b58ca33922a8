"""The connectors' HTTP client (issue 22.2): requests go on the standard library's client,
one keep-alive connection per sending thread, and reach the target exactly as httpx sent
them; a connection the target closed between two requests is replaced before the next
one goes, so no request is lost or sent twice on it."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.connectors.base import TargetConfig
from sync.connectors.egress import GuardedBackend
from sync.connectors.http import HttpClient
from sync.connectors.lean import LeanSender
from sync.settings import get_sync_settings


class _Target(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self.drop_every = 0  # answers after which the target drops the connection unsaid
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the handler closes
    server: _Target

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1
        self.answered = 0

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.received.append(
                {"method": self.command, "path": self.path, "body": body, "headers": self.headers}
            )
        out = json.dumps({"ok": True, "n": len(self.server.received)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        self.answered += 1
        drop = self.server.drop_every
        self.close_connection = bool(drop) and self.answered % drop == 0

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def target() -> Iterator[_Target]:
    server = _Target()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(server: _Target) -> HttpClient:
    url = f"http://127.0.0.1:{server.server_address[1]}"
    config = TargetConfig(name="lean", kind="zendesk", base_url=url, credentials={"token": "t"})
    return HttpClient(config, headers={"Authorization": "Bearer t"}, transport=None, timeout=5.0)


def test_requests_arrive_as_sent_with_query_json_and_headers(target: _Target) -> None:
    http = _client(target)
    try:
        answer = http.send(
            "PUT", "/api/v2/organizations/e%201", params={"q": "a b&c"}, json={"name": "Zoë"}
        )
        form = http.send(
            "POST", "/v1/customers", content="name=Acme", headers={"Idempotency-Key": "k1"}
        )
    finally:
        http.close()

    assert (answer.status_code, answer.json()["ok"], form.status_code) == (200, True, 200)
    put, post = target.received
    assert (put["method"], put["path"]) == ("PUT", "/api/v2/organizations/e%201?q=a%20b%26c")
    assert json.loads(put["body"]) == {"name": "Zoë"}
    assert put["headers"]["Content-Type"] == "application/json"
    assert put["headers"]["Authorization"] == "Bearer t"
    assert (post["body"], post["headers"]["Idempotency-Key"]) == (b"name=Acme", "k1")
    assert answer.request.method == "PUT"
    assert answer.request.url.raw_path == b"/api/v2/organizations/e%201?q=a%20b%26c"


def test_a_connection_the_target_dropped_is_replaced_and_nothing_is_sent_twice(
    target: _Target,
) -> None:
    target.drop_every = 2
    http = _client(target)
    sent = 40
    try:
        for n in range(sent):
            if n % 2 == 0:  # the drop reaches the client before its next request
                threading.Event().wait(0.02)
            assert http.send("POST", "/api/v2/items", json={"n": n}).status_code == 200
    finally:
        http.close()

    assert [json.loads(r["body"])["n"] for r in target.received] == list(range(sent))
    assert target.connections == sent // 2  # kept alive between the drops


def test_a_thread_reuses_its_connection(target: _Target) -> None:
    http = _client(target)
    try:
        for n in range(20):
            http.send("GET", f"/items/{n}")
    finally:
        http.close()

    assert (len(target.received), target.connections) == (20, 1)


def test_each_sending_thread_keeps_a_connection_of_its_own(target: _Target) -> None:
    http = _client(target)
    try:
        with ThreadPoolExecutor(4) as pool:
            codes = list(
                pool.map(lambda n: http.send("GET", f"/items/{n}").status_code, range(200))
            )
    finally:
        http.close()

    assert codes == [200] * 200
    assert target.connections <= 4
    assert sorted(r["path"] for r in target.received) == sorted(f"/items/{n}" for n in range(200))


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_https_is_verified_against_the_certificate_and_host(
    target: _Target, tmp_path: Path
) -> None:
    cert_file, key_file = _certificate(tmp_path)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert_file, key_file)
    target.socket = served.wrap_socket(target.socket, server_side=True)
    url = f"https://127.0.0.1:{target.server_address[1]}"
    guard = GuardedBackend(get_sync_settings().networks)
    trusting = LeanSender(
        url,
        headers={},
        timeout=5.0,
        backend=guard,
        tls=ssl.create_default_context(cafile=str(cert_file)),
    )
    strange = LeanSender(url, headers={}, timeout=5.0, backend=guard)  # httpx's CA bundle
    try:
        answer = trusting.request("POST", "/v1/customers", headers={}, json={"n": 1})
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            strange.request("POST", "/v1/customers", headers={}, json={"n": 2})
    finally:
        trusting.close()
        strange.close()

    assert answer.status_code == 200
    assert [json.loads(r["body"]) for r in target.received] == [{"n": 1}]
    assert target.received[0]["headers"]["Host"] == f"127.0.0.1:{target.server_address[1]}"
