"""``mdm serve`` as an operator runs it: JSON logs carrying the correlation id,
OpenTelemetry traces sent to an OTLP endpoint, nothing of OpenTelemetry loaded
without one, and one ``/metrics`` for several worker processes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ADMIN_KEY
from tests.ops.live import hub_process

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
ORG = {"kind": "organization", "name": "Initech"}


def test_json_logs_carry_the_correlation_id_on_every_line(
    database_url: str, tmp_path: Path
) -> None:
    with hub_process(database_url, tmp_path, env={"MDM_LOG_FORMAT": "json"}) as (base, log):
        r = httpx.put(
            f"{base}/api/v1/sources/crm/customer/C1",
            json=ORG,
            headers={**AUTH, "X-Correlation-Id": "order-4711"},
        )
        assert r.status_code == 200
        time.sleep(0.3)  # the access line is written once the answer is sent

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    [access] = [x for x in lines if x["logger"] == "mdm.http" and x["message"].startswith("PUT")]
    assert access["correlation_id"] == "order-4711"
    assert access["route"] == "/api/v1/sources/{source}/{entity_type}/{source_id}"
    assert {"time", "level", "message", "duration_ms"} <= set(access)
    assert all("correlation_id" in x for x in lines)


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(self.path.encode() + b" " + body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def otlp() -> Iterator[tuple[str, list[bytes]]]:
    """A stand-in OTLP/HTTP collector: every body POSTed to it, behind its path."""
    received: list[bytes] = []
    handler = type("Handler", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def test_traces_of_requests_and_their_sql_go_to_the_otlp_endpoint(
    database_url: str, tmp_path: Path, otlp: tuple[str, list[bytes]]
) -> None:
    endpoint, received = otlp
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with hub_process(database_url, tmp_path, env=env) as (base, _):
        httpx.put(f"{base}/api/v1/sources/crm/customer/C1", json=ORG, headers=AUTH)
        deadline = time.monotonic() + 15
        while not any(b"INSERT INTO source_record" in body for body in received):
            assert time.monotonic() < deadline, received
            time.sleep(0.1)

    sent = b"".join(received)
    assert all(body.startswith(b"/v1/traces ") for body in received)
    assert b"PUT /api/v1/sources/{source}/{entity_type}/{source_id}" in sent
    assert b"golden-record-hub" in sent  # the service name
    assert b"FROM api_key" in sent and b"INSERT INTO golden_record" in sent
    assert b"/health/live" not in sent  # probes are not traced


def test_without_an_endpoint_no_opentelemetry_sdk_is_even_imported(
    database_url: str,
) -> None:
    probe = (
        "import sys\n"
        "from mdm.app import create_app\n"
        "from mdm.bootstrap import bootstrap\n"
        "from mdm.settings import Settings\n"
        f"create_app(bootstrap(Settings(database_url={database_url!r})))\n"
        "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('opentelemetry.')}))\n"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )

    loaded = set(json.loads(out.stdout.strip().replace("'", '"')))
    assert not loaded & {"sdk", "instrumentation", "exporter"}, loaded


def test_several_workers_answer_one_metrics_with_every_worker_s_counts(
    database_url: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with hub_process(database_url, tmp_path, "--workers", "2", env=env) as (base, _):
        for _ in range(40):
            with httpx.Client() as fresh:  # a new connection each time: any worker
                assert fresh.get(f"{base}/health/live").status_code == 200
        text = httpx.get(f"{base}/metrics").text
        writers = {p.name.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}

    total = sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "mdm_http_requests_total" and s.labels["route"] == "/health/live"
    )
    assert total >= 40  # the start-up probe asked too
    assert len(writers) == 2, writers
