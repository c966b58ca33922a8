"""Memory probe (issue 12): a chunked body far over the 1 MiB limit, sent without a key.

    .venv/bin/python benchmarks/body_limit_probe.py              # 200 MB at two routes
    .venv/bin/python benchmarks/body_limit_probe.py --megabytes 50

Starts ``mdm serve`` (SQLite, no demo data) on a free port, reads the server's
resident memory, streams ``--megabytes`` of body in 64 KiB chunks with no
Content-Length to a route with a pydantic body model and to ``/graphql``, and
prints the answer, how much the server took before answering, and its memory
after. A server that buffers the body answers only after the last chunk, with its
memory grown by about the body's size.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 64 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _stream(port: int, path: str, megabytes: int) -> tuple[str, float, float]:
    """(status line, MB sent before the answer came, seconds until it came)."""
    started = time.perf_counter()
    conn = socket.create_connection(("127.0.0.1", port), timeout=300)
    conn.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    answer: list[bytes] = []
    answered_at: list[float] = []
    sent = 0
    sent_then: list[int] = []

    def read() -> None:
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        answered_at.append(time.perf_counter())
        sent_then.append(sent)
        answer.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    frame = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
    try:
        while sent < megabytes * 1024 * 1024 and not answer:
            conn.sendall(frame)
            sent += CHUNK
        if not answer:
            conn.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    reader.join(timeout=300)
    conn.close()
    status = answer[0].split(b"\r\n", 1)[0].decode() if answer and answer[0] else "(none)"
    return status, (sent_then or [sent])[0] / 1024 / 1024, answered_at[0] - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MDM_DATABASE_URL": f"sqlite:///{tmp}/mdm.db"}
        server = subprocess.Popen(
            [sys.executable, "-m", "mdm.cli", "serve", "--port", str(port), "--no-demo"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"server RSS at start: {_rss_mb(server.pid):.0f} MB")
            for path in ("/api/v1/stewardship/tasks/x/approve", "/graphql"):
                status, mb, seconds = _stream(port, path, args.megabytes)
                print(
                    f"{path}: {status!r} after {mb:.1f} MB sent in {seconds:.2f} s; "
                    f"server RSS now {_rss_mb(server.pid):.0f} MB"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
