"""A real uvicorn serving one test's app on a free port, and a raw HTTP/1.1 client for
requests a library client would not send (chunked bodies cut off mid-way)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

__all__ = ["chunked_request", "hub_process", "serve"]


@contextmanager
def serve(app: Any) -> Iterator[tuple[str, int]]:
    """(host, port) of a uvicorn serving ``app`` until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def chunked_request(
    address: tuple[str, int],
    path: str,
    *,
    chunks: int,
    chunk_size: int = 64 * 1024,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, int]:
    """POST ``chunks`` chunks of JSON-ish bytes without Content-Length and without the
    closing chunk, then read the answer: (status, body, bytes sent).

    The body never ends, so a server that waits for the whole body before answering
    never answers (the read times out after 10 s and the test fails).
    """
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {address[0]}:{address[1]}",
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    sent = 0
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        piece = b'{"reason": "' + b"x" * (chunk_size - 12)
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        try:
            for _ in range(chunks):
                conn.sendall(frame)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed; read what it said
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or not _complete(answer):
                data = conn.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body, sent


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


@contextmanager
def hub_process(
    database_url: str, tmp_path: Any, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Any]]:
    """``mdm serve`` as a user starts it (no demo data, a known admin key), on a free
    port: (base URL, path of its stderr log). Stopped with SIGTERM at the end."""
    import os
    import subprocess
    import sys

    import httpx

    from tests.conftest import ADMIN_KEY

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / f"serve-{port}.log"
    full_env = {
        **os.environ,
        "MDM_DATABASE_URL": database_url,
        "MDM_ADMIN_API_KEY": ADMIN_KEY,
        **(env or {}),
    }
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "mdm.cli", "serve", "--port", str(port), "--no-demo", *args],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mdm serve did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
