"""A hub to verify against: a scratch SQLite database in a temporary directory, the real
app under a real uvicorn on a free port, an admin key made for the run.

Nothing of it outlives the ``with`` block. :meth:`ScratchHub.reset` empties every table
the hub writes except the key, the sources and the schema registry, so each provider
state starts from nothing while proposed schemas stay registered.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.engine import Engine

from canonical.commands import CreateApiKey
from matching.engine import ProbabilisticMatcher
from matching.settings import MatchSettings
from mdm.app import create_app
from mdm.bootstrap import Container, bootstrap
from mdm.db.engine import make_engine
from mdm.db.migrate import upgrade
from mdm.db.scratch import empty_tables
from mdm.domain.principal import new_secret
from mdm.settings import Settings

__all__ = ["KEPT_TABLES", "ScratchHub", "scratch_hub", "serve"]

HOST = "127.0.0.1"
KEPT_TABLES = (
    "alembic_version",
    "api_key",
    "source_system",
    "registry_subject",
    "registry_version",
    "match_settings",
)


@dataclass
class ScratchHub:
    url: str
    admin_key: str
    container: Container
    engine: Engine

    def reset(self) -> None:
        empty_tables(self.engine, keep=KEPT_TABLES)


@contextmanager
def serve(app: Any, *, host: str = HOST) -> Iterator[str]:
    """Run ``app`` under uvicorn in a daemon thread on a free port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the verification server did not start")
        thread.join(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def scratch_hub(*, match_settings: Sequence[MatchSettings] = ()) -> Iterator[ScratchHub]:
    """A fresh hub; ``match_settings`` replace the shipped settings of their entity types."""
    with tempfile.TemporaryDirectory(prefix="mdm-contracts-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'hub.db'}"
        settings = Settings(database_url=url, secret_key="contract-verification", dispatcher="off")
        engine = make_engine(url)
        try:
            upgrade(engine)
            matcher = (
                ProbabilisticMatcher({s.entity_type: s for s in match_settings})
                if match_settings
                else None
            )
            container = bootstrap(settings, engine=engine, matcher=matcher)
            key = new_secret()
            container.bus.handle(CreateApiKey("contract verification", ("admin",), secret=key))
            with serve(create_app(container)) as base_url:
                yield ScratchHub(base_url, key, container, engine)
        finally:
            engine.dispose()
