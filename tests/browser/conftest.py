"""The browser tier: a real uvicorn serving the hub, driven by Debian's headless Chromium.

One server and one browser per session. The server serves a small switch that
forwards to each test's own app (built from the shared ``app`` fixture, so the
tests run on SQLite or PostgreSQL like every other tier). Where there is no
``/usr/bin/chromium`` (or no Playwright) the tests skip, saying why.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.conftest import ADMIN_KEY
from tests.standins.fixtures import standin_servers, standins

__all__ = ["standin_servers", "standins"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Switch:
    """An ASGI app that forwards to whichever app the current test installed."""

    def __init__(self) -> None:
        self.target: FastAPI | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.target is None:
            raise RuntimeError("no app installed for this request")
        await self.target(scope, receive, send)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's chromium package "
            "(scripts/install-chromium.sh) to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def _live_server() -> Iterator[tuple[str, _Switch]]:
    switch = _Switch()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(switch, lifespan="off", log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", switch
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def hub(browser: Any, app: FastAPI, _live_server: tuple[str, _Switch]) -> Iterator[str]:
    """The base URL of a live hub serving this test's app."""
    base, switch = _live_server
    switch.target = app
    yield base
    switch.target = None


@pytest.fixture
def api(hub: str) -> Iterator[httpx.Client]:
    """An admin HTTP client against the live hub, for seeding and checking."""
    with httpx.Client(
        base_url=hub, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10
    ) as client:
        yield client


def _tab(browser: Any, hub: str, width: int) -> Iterator[Any]:
    context = browser.new_context(base_url=hub, viewport={"width": width, "height": 900})
    context.set_default_timeout(5_000)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    context.close()
    assert script_errors == []


@pytest.fixture
def page(browser: Any, hub: str) -> Iterator[Any]:
    """A fresh tab on the live hub; a script error in the console fails the test."""
    yield from _tab(browser, hub, 1280)


@pytest.fixture
def narrow_page(browser: Any, hub: str) -> Iterator[Any]:
    """A fresh tab 800 px wide (a laptop split screen, a small tablet)."""
    yield from _tab(browser, hub, 800)
