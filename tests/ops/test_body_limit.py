"""The body limit holds for chunked bodies on every route, before authentication, on a
real server: the 413 comes while the body is still arriving, so nothing past the limit
is read or kept."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi import FastAPI

from tests.conftest import ADMIN_KEY
from tests.helpers import counts
from tests.ops.live import chunked_request, serve

LIMIT = 1024 * 1024
OVER = LIMIT // (64 * 1024) + 2  # chunks of 64 KiB: just past the limit, never finished


@pytest.fixture
def address(app: FastAPI) -> Iterator[tuple[str, int]]:
    with serve(app) as where:
        yield where


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/stewardship/tasks/any/approve",  # a pydantic body model
        "/api/v1/golden/customer/merge",  # another
        "/graphql",
    ],
)
def test_an_unauthenticated_chunked_body_over_the_limit_is_413_before_it_ends(
    address: tuple[str, int], path: str
) -> None:
    status, body, sent = chunked_request(address, path, chunks=OVER)

    assert status == 413
    assert LIMIT < sent <= LIMIT + 128 * 1024
    if path == "/graphql":
        assert orjson.loads(body)["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}
    else:
        assert orjson.loads(body)["error"]["code"] == "payload_too_large"


def test_an_authenticated_chunked_batch_over_the_limit_is_413_and_writes_nothing(
    app: FastAPI, address: tuple[str, int]
) -> None:
    engine = app.state.container.engine
    before = counts(engine)

    status, body, _ = chunked_request(
        address,
        "/api/v1/sources/crm/customer/batch",
        chunks=OVER,
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )

    assert status == 413
    assert orjson.loads(body)["error"]["code"] == "payload_too_large"
    assert counts(engine) == before


def test_a_declared_length_over_the_limit_is_refused_without_reading(
    address: tuple[str, int],
) -> None:
    import socket

    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {LIMIT + 1}\r\n\r\n".encode()
        )
        answer = conn.recv(65536)

    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_under_the_limit_is_read_as_usual(address: tuple[str, int]) -> None:
    import httpx

    def body() -> Iterator[bytes]:
        yield b'{"query": "{ customers '
        yield b'{ edges { cursor } } }"}'

    r = httpx.post(
        f"http://{address[0]}:{address[1]}/graphql",
        content=body(),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"},
    )

    assert r.status_code == 200
    assert r.json() == {"data": {"customers": {"edges": []}}}
