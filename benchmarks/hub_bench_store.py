"""The hub benchmark's databases: create, inspect and size the SQLite or PostgreSQL store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from mdm.db.engine import normalize_url

DATA_DIR = Path("/tmp/mdm-bench")
ENTITY = "customer"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_files(url: str) -> list[Path]:
    db = Path(make_url(url).database or "")
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def recreate_database(url: str) -> None:
    """An empty database at ``url`` (SQLite file removed; PostgreSQL dropped and created)."""
    if is_sqlite(url):
        for path in sqlite_files(url):
            path.unlink(missing_ok=True)
        return
    parsed = make_url(url)
    name = parsed.database or ""
    if not name.startswith("mdm_bench"):
        raise SystemExit(f"refusing to drop database '{name}': use a name starting mdm_bench")
    admin = create_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def database_exists(url: str) -> bool:
    if is_sqlite(url):
        return sqlite_files(url)[0].exists()
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        ).first()
    admin.dispose()
    return found is not None


def analyze(url: str) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would gather them (the
    development server runs with autovacuum off). Not timed."""
    if is_sqlite(url):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def database_bytes(engine: Engine, url: str) -> int:
    if is_sqlite(url):
        return sum(p.stat().st_size for p in sqlite_files(url) if p.exists())
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def count_base_records(engine: Engine) -> int:
    """Source records that are not probes (probe source ids start with ``p<seed>-``)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM source_record "
                    "WHERE entity_type = :e AND source_id NOT LIKE 'p%'"
                ),
                {"e": ENTITY},
            ).scalar_one()
        )


def count_goldens(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM golden_record "
                    "WHERE entity_type = :e AND status = 'active'"
                ),
                {"e": ENTITY},
            ).scalar_one()
        )


def next_probe_seed(engine: Engine) -> int:
    """One more than the highest probe seed already ingested here (0 on a fresh base)."""
    with engine.connect() as conn:
        ids = conn.execute(
            text(
                "SELECT DISTINCT substr(source_id, 1, instr(source_id, '-')) FROM source_record "
                "WHERE entity_type = :e AND source_id LIKE 'p%'"
            )
            if engine.dialect.name == "sqlite"
            else text(
                "SELECT DISTINCT split_part(source_id, '-', 1) FROM source_record "
                "WHERE entity_type = :e AND source_id LIKE 'p%'"
            ),
            {"e": ENTITY},
        ).scalars()
        seeds = [int(s.strip("p-")) for s in ids if s.strip("p-").isdigit()]
    return max(seeds, default=-1) + 1


def has_schema(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("source_record")


def safe_url(url: str) -> str:
    return make_url(normalize_url(url)).render_as_string(hide_password=True)
