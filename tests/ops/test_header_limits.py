"""Limits on the request head hold on a real ``mdm serve``, over raw sockets and without
an API key: a long URL is a 414, a large header block a 431, a head not sent in time a
408, each in the hub's error shape and with the connection closed, while the head is
still arriving, so the server neither keeps the oversized head nor stalls."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.ops.live import hub_process

TIMEOUT_SECONDS = 1


@pytest.fixture(scope="module")
def hub(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module (a 1 s header timeout), on a copy of the test database."""
    tmp = tmp_path_factory.mktemp("header-limits")
    shutil.copy(_sqlite_template, tmp / "mdm.db")
    env = {"MDM_HEADER_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS)}
    with hub_process(f"sqlite:///{tmp / 'mdm.db'}", tmp, env=env) as (base, _):
        yield base


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def _read_answer(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset or the socket's timeout ends
    the read too: what was read is the answer)."""
    answer = b""
    try:
        while data := conn.recv(65536):
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    return answer


def _exchange(base: str, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` and read until the server closes: (status, headers, body)."""
    with socket.create_connection(_address(base), timeout=10) as conn:
        # the server may answer and close mid-way: read what it said
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(head)
        answer = _read_answer(conn)
    return _parse(answer)


def _parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


def _get(path: str, *extra: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: hub", *extra, "", ""]).encode()


def _assert_refused(answer: tuple[int, dict[str, str], bytes], status: int, code: str) -> None:
    got_status, headers, body = answer
    assert got_status == status
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert orjson.loads(body)["error"]["code"] == code


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _server_pid(base: str) -> int:
    """The ``mdm serve`` child of this test process listening on ``base``'s port."""
    port = str(_address(base)[1])
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and port.encode() in args:
            return int(cmdline.parent.name)
    raise AssertionError(f"no mdm serve on port {port}")


def test_a_header_block_over_64_kib_is_431_and_the_connection_closes(hub: str) -> None:
    answer = _exchange(hub, _get("/api/v1/golden/customer", "X-Big: " + "a" * 80_000))

    _assert_refused(answer, 431, "request_header_fields_too_large")


def test_many_headers_adding_up_past_the_limit_are_431(hub: str) -> None:
    headers = [f"X-H{i}: " + "b" * 1000 for i in range(80)]

    answer = _exchange(hub, _get("/health/live", *headers))

    _assert_refused(answer, 431, "request_header_fields_too_large")


def test_a_url_over_8_kib_is_414(hub: str) -> None:
    answer = _exchange(hub, _get("/api/v1/golden/customer?q=" + "u" * 9 * 1024))

    _assert_refused(answer, 414, "uri_too_long")


def test_a_head_not_finished_in_time_is_408_and_the_server_answers_others_meanwhile(
    hub: str,
) -> None:
    with socket.create_connection(_address(hub), timeout=10) as slow:
        slow.sendall(b"GET /health/live HTTP/1.1\r\nHost: hub\r\nX-Slow: ")

        assert _exchange(hub, _get("/health/live", "Connection: close"))[0] == 200
        answer = _parse(_read_answer(slow))

    _assert_refused(answer, 408, "request_timeout")


def test_headers_within_the_limits_still_answer(hub: str) -> None:
    headers = [f"X-H{i}: " + "c" * 1000 for i in range(50)]

    status, _, body = _exchange(
        hub, _get("/health/live?" + "q" * 4000, *headers, "Connection: close")
    )

    assert status == 200
    assert orjson.loads(body)["status"] == "ok"


def test_the_limit_is_per_head_on_a_keep_alive_connection_pipelined_or_not(hub: str) -> None:
    head = _get("/health/live", "X-Big: " + "e" * 40_000)  # 3 of them pass 64 KiB together

    with socket.create_connection(_address(hub), timeout=10) as conn:
        conn.sendall(head)
        first = conn.recv(65536)
        conn.sendall(head * 2 + _get("/health/live", "Connection: close"))
        rest = _read_answer(conn)

    assert first.startswith(b"HTTP/1.1 200 ")
    assert rest.count(b"HTTP/1.1 200 ") == 3


def _send_big_header(base: str, size: int) -> bytes:
    """Send one header of ``size`` bytes as fast as the server takes it; what it answered
    (empty when the server reset the connection before the answer was read)."""
    chunk = b"d" * (1024 * 1024)
    with socket.create_connection(_address(base), timeout=10) as conn:
        answer: list[bytes] = []
        reader = threading.Thread(target=lambda: answer.append(_read_answer(conn)))
        reader.start()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(b"GET /health/live HTTP/1.1\r\nHost: hub\r\nX-Huge: ")
            for _ in range(size // len(chunk)):
                conn.sendall(chunk)
        reader.join(timeout=10)
    return answer[0] if answer else b""


def test_a_64_mb_header_is_refused_without_the_server_growing(hub: str) -> None:
    pid = _server_pid(hub)
    _exchange(hub, _get("/health/live", "Connection: close"))  # warm
    before = _rss_kib(pid)

    answers = [_send_big_header(hub, 64 * 1024 * 1024) for _ in range(2)]

    after = _rss_kib(pid)
    for answer in answers:
        assert answer == b"" or _parse(answer)[0] == 431
    assert after - before < 20 * 1024, f"RSS {before} KiB -> {after} KiB"
    assert _exchange(hub, _get("/health/live", "Connection: close"))[0] == 200
