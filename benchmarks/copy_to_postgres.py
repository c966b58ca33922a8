"""Copy a hub database loaded on SQLite into a fresh PostgreSQL database (benchmarks only).

Loading a million records through ``mdm load`` takes about 40 minutes per backend
on the 2-core machine; the incremental-matching benchmark needs the same million
golden records on PostgreSQL only to time single records against them. This copies
the tables candidate lookup and ingest read -- sources, source records (with their
prepared match forms), golden records and the key index -- row for row with COPY,
into a database migrated by the hub's own migrations, then runs VACUUM ANALYZE as
autovacuum would on a loaded database. History tables (versions,
outbox, decisions) are left empty, so an ingest there writes into smaller tables
than after a real load; the reads a decision makes are the same.

    .venv/bin/python benchmarks/copy_to_postgres.py /tmp/mdm-bench/hub_base_1000000.db \\
        postgresql+psycopg://postgres@127.0.0.1:5432/mdm_bench_hub
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from sqlalchemy import create_engine, text  # noqa: E402

from mdm.db.engine import make_engine, normalize_url  # noqa: E402
from mdm.db.migrate import upgrade  # noqa: E402

TABLES = ("source_system", "source_record", "golden_record", "match_key")


def main(source: str, target: str) -> None:
    url = normalize_url(target)
    name = url.rsplit("/", 1)[1]
    if not name.startswith("mdm_bench"):
        raise SystemExit("only databases named mdm_bench* are dropped and created")
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    lite = sqlite3.connect(source)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute("DELETE FROM source_system")
        for table in TABLES:
            t0 = time.perf_counter()
            columns = [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
            rows = lite.execute(f"SELECT {', '.join(columns)} FROM {table}")
            count = 0
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            raw.commit()
            print(f"{table}: {count:,} rows in {time.perf_counter() - t0:.0f} s", flush=True)
    finally:
        raw.close()
        lite.close()
    # what autovacuum does to a loaded database: statistics, and the visibility map
    # that lets the key lookup answer from the index alone
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
