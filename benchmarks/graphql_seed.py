"""The GraphQL read benchmark's data set (``benchmarks/graphql_bench.py``): 500 account
trees of 21 customers plus one tree of exactly 1,000 descendants, each customer from a CRM
and an ERP source record linked by tax id, loaded through the real ingest path."""

from __future__ import annotations

import random
from typing import Any

__all__ = ["drop_database", "seed"]


_SYLLABLES = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(4)).capitalize()


def _record(sid: str, name: str, parent: str | None, rng: random.Random) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "kind": "organization",
        "name": name,
        "tax_id": f"DE{int(sid.split('-', 1)[1].replace('-', '')):09d}",
        "segment": rng.choice(["smb", "mid-market", "enterprise"]),
        "industry": rng.choice(["Software", "Retail", "Energy", "Finance"]),
        "owner": f"rep{rng.randrange(50)}@hub.example",
        "email": f"ap@{sid.lower()}.example",
        "address": {"city": rng.choice(["Berlin", "Paris", "Austin"]), "country": "DE"},
    }
    if parent:
        rec["parent"] = parent
    return rec


def _erp(rec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out = {
        "kind": "organization",
        "name": rec["name"].upper() + " GMBH",
        "tax_id": rec["tax_id"],
        "payment_terms": rng.choice(["net15", "net30"]),
        "currency": "EUR",
        # one street address per company: shared ones would be (rightly) weighed as evidence
        "address": {**rec["address"], "line1": f"{int(rec['tax_id'][2:])} Hauptstr."},
    }
    return out


def seed(db_url: str) -> dict[str, list[str]]:
    """Load the data set; returns source ids by role (subsidiaries, big tree top)."""
    from canonical.commands import IngestItem, IngestRecords
    from mdm.bootstrap import bootstrap
    from mdm.settings import Settings

    rng = random.Random(5)
    container = bootstrap(Settings(database_url=db_url), migrate=True)
    levels: list[list[tuple[str, dict[str, Any]]]] = [[], [], []]
    n = 0

    def add(level: int, name: str, parent: str | None) -> str:
        nonlocal n
        n += 1
        sid = f"C-{n}"
        # a made-up word per company: "Account 1 Site 2-3" and "Account 2 Site 1-3" would
        # be near-duplicates to the matcher, which (rightly) sends them to review
        name = f"{_word(rng)} {name}"
        levels[level].append((sid, _record(sid, name, parent, rng)))
        return sid

    subsidiaries: list[str] = []
    for t in range(500):
        top = add(0, f"Account {t} Holding", None)
        for s in range(4):
            sub = add(1, f"Account {t} Subsidiary {s}", top)
            subsidiaries.append(sub)
            for k in range(4):
                add(2, f"Account {t} Site {s}-{k}", sub)
    big = add(0, "Big Tree Holding", None)
    for r in range(10):
        region = add(1, f"Big Tree Region {r}", big)
        for k in range(99):
            add(2, f"Big Tree Site {r}-{k}", region)

    def load(source: str, items: list[IngestItem]) -> None:
        for i in range(0, len(items), 1000):
            part = items[i : i + 1000]
            container.bus.handle(IngestRecords(source, "customer", tuple(part)))

    for level in levels:
        load("crm", [IngestItem(sid, rec) for sid, rec in level])
    for level in levels:
        load("erp", [IngestItem("E" + sid, _erp(rec, rng)) for sid, rec in level])
    # A steady-state database has planner statistics (autovacuum); a fresh bulk
    # load has none yet, so gather them as autovacuum would.
    with container.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    container.engine.dispose()
    return {"subsidiaries": subsidiaries, "big": [big]}


def drop_database(url: str, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    from mdm.db.engine import normalize_url

    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()
