"""Fixtures shared by every tier.

The suite runs against the embedded default (a SQLite file per test, copied
from a template migrated once) unless ``MDM_DATABASE_URL`` names a PostgreSQL
server, e.g. ``MDM_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test``:
then every test runs there, in a database of its own created for the run and
emptied between tests. The same tests prove both backends.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel
from typer.testing import CliRunner

import mdm.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from canonical.commands import CreateApiKey
from mdm.app import create_app
from mdm.bootstrap import Container, bootstrap
from mdm.clock import ManualClock
from mdm.db.engine import make_engine, normalize_url
from mdm.db.migrate import upgrade
from mdm.settings import Settings, get_settings

# the stand-ins, pact mocks and hubs the tests start listen on 127.0.0.1, which the hub
# refuses to send to by default (sync.connectors.egress); hub and worker processes the tests
# start inherit it
os.environ.setdefault("MDM_SYNC_ALLOWED_NETWORKS", "127.0.0.0/8")

SEED_SOURCES = ("crm", "cpq", "billing", "erp", "support")
# the schema registry keeps its seeded version 1 of every subject (migration 0010)
_SEEDED = ("source_system", "registry_subject", "registry_version")
# every table the hub writes, except the seeded ones (new tables join by themselves)
_TABLES = tuple(t.name for t in SQLModel.metadata.sorted_tables if t.name not in _SEEDED)


def _server_url() -> str | None:
    url = os.environ.get("MDM_DATABASE_URL", "")
    return normalize_url(url) if url.startswith("postgres") else None


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if _server_url() else "sqlite"


@pytest.fixture(scope="session")
def _pg_database(_worker_name: str) -> Iterator[str | None]:
    server = _server_url()
    if server is None:
        yield None
        return
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    name = f"mdm_test_{_worker_name}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "mdm.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(_pg_database: str | None, _sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    if _pg_database is None:
        target = tmp_path / "mdm.db"
        shutil.copy(_sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    engine = make_engine(_pg_database)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY"))
        seeds = ", ".join(f"'{s}'" for s in SEED_SOURCES)
        conn.execute(text(f"DELETE FROM source_system WHERE name NOT IN ({seeds})"))
        # the seeded sources as migrated: no default region, lenient (a test may have
        # changed either)
        conn.execute(text("UPDATE source_system SET default_region = NULL, validation = 'lenient'"))
        conn.execute(text("DELETE FROM registry_version WHERE registered_by <> 'seed'"))
        conn.execute(text("UPDATE registry_subject SET mode = NULL"))
    engine.dispose()
    yield _pg_database


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)


@pytest.fixture
def container(settings: Settings, engine: Engine) -> Container:
    return bootstrap(settings, engine=engine)


ADMIN_KEY = "mdm_test_admin_key"
TEST_SECRET_KEY = "test-secret-key"


@pytest.fixture
def clock(container: Container) -> ManualClock:
    """The hub's clock for this test, standing still (at the real time it was made) until
    the test moves it with ``clock.advance(seconds)``: time-based logic is tested without
    waiting."""
    manual = ManualClock(datetime.now(UTC))
    container.bus.clock = manual
    return manual


@pytest.fixture
def app(container: Container) -> FastAPI:
    container.bus.handle(CreateApiKey("test admin", ("admin",), secret=ADMIN_KEY))
    return create_app(container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client holding an admin key."""
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
        yield c


@pytest.fixture
def client_as(app: FastAPI, container: Container) -> Iterator[Callable[..., TestClient]]:
    """``client_as("reader")`` or ``client_as("source:crm")``: a client with a new key."""
    made: list[TestClient] = []

    def make(*roles: str) -> TestClient:
        secret, _ = container.bus.handle(CreateApiKey("test", tuple(roles)))
        c = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def _worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture
def app_client_factory(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A client for a given secret key (for keys made outside the fixtures)."""
    made: list[TestClient] = []

    def make(secret: str) -> TestClient:
        c = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner whose ``mdm`` commands use the test database (settings read afresh)."""
    monkeypatch.setenv("MDM_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
