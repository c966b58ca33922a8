"""Catalog sync benchmark (issue 21): golden products and prices delivered per second to the
Salesforce, Stripe and NetSuite stand-ins (Zendesk takes no products), and then the rate of
price changes (a changed amount: a new Stripe Price and the old one archived, an updated
Salesforce entry, a new NetSuite pricing line).

    .venv/bin/python benchmarks/catalog_sync_bench.py                  # SQLite, embedded
    .venv/bin/python benchmarks/catalog_sync_bench.py \
        --postgres postgresql://postgres@127.0.0.1:5432/test --workers 2
    .venv/bin/python benchmarks/catalog_sync_bench.py --products 500   # quicker

N golden products with one price each are in the hub; three targets subscribed to
``["product", "price"]`` are added at once (stand-ins served as separate processes with
``--instant``); the clock runs from the dispatcher's start until all 3 x 2N deliveries are
acknowledged. Then every price's amount changes and the clock runs until the 3 x N price
deliveries are acknowledged again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bench import fresh_database
from sync_bench import SECRET, SOURCE_OF, run_workers, start_standins, wait_settled

KINDS = ("salesforce", "stripe", "netsuite")


def load(container: Any, count: int, version: int) -> None:
    from canonical.commands import IngestItem, IngestRecords

    for start in range(0, count, 1000):
        part = range(start, min(start + 1000, count))
        if version == 1:
            products = tuple(
                IngestItem(
                    f"P{n}",
                    {"sku": f"BENCH-{n:06d}", "name": f"Bench widget {n}", "type": "one_time"},
                )
                for n in part
            )
            container.bus.handle(IngestRecords("cpq", "product", products, "bench-products"))
        prices = tuple(
            IngestItem(
                f"PR{n}",
                {
                    "product": f"P{n}",
                    "price_book": "standard",
                    "currency": "USD",
                    "unit_amount": f"{10 + n % 90}.{version:02d}",
                    "billing_period": "month",
                },
            )
            for n in part
        )
        container.bus.handle(IngestRecords("cpq", "price", prices, f"bench-prices-v{version}"))


def add_targets(container: Any, urls: dict[str, str]) -> None:
    from canonical.commands import PutSyncTarget

    for kind in KINDS:
        body = {
            "kind": kind,
            "base_url": urls[kind],
            "credentials": {"token": "test-token"},
            "source": SOURCE_OF[kind],
            "entity_types": ["product", "price"],
        }
        container.bus.handle(PutSyncTarget(kind, body, "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL")
    parser.add_argument("--products", type=int, default=2000, help="products, one price each")
    parser.add_argument("--workers", type=int, default=0, help="mdm worker processes")
    args = parser.parse_args()

    from mdm.bootstrap import bootstrap
    from mdm.settings import Settings
    from sync.worker import Dispatcher

    workdir = Path(tempfile.mkdtemp(prefix="mdm-catalog-bench-"))
    db_url = fresh_database(args.postgres, workdir)
    container = bootstrap(
        Settings(database_url=db_url, secret_key=SECRET, matcher="exact"), migrate=True
    )
    urls, standins = start_standins()
    workers: list[subprocess.Popen[bytes]] = []
    dispatcher = Dispatcher(container)
    try:
        load(container, args.products, 1)
        add_targets(container, urls)
        started = time.monotonic()
        if args.workers:
            workers = run_workers(db_url, args.workers)
        else:
            dispatcher.start()
        total = 2 * args.products * len(KINDS)
        ended = wait_settled(container, total, 1, timeout=1200)
        # every price changes its amount (a new golden version of each price)
        load(container, args.products, 2)
        changed_at = time.monotonic()
        changes = args.products * len(KINDS)
        changes_ended = wait_settled(container, changes, 2, timeout=1200)
    finally:
        dispatcher.stop()
        for w in workers:
            w.terminate()
        for p in standins:
            p.terminate()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    where = f"{args.workers} mdm worker processes" if args.workers else "the embedded dispatcher"
    print(f"{backend}, {where}: {args.products} products and {args.products} prices, 3 targets")
    print(
        f"  first delivery    {total} deliveries in {ended - started:.1f}s: "
        f"{total / (ended - started):,.0f} deliveries/s"
    )
    print(
        f"  amount changes    {changes} deliveries in {changes_ended - changed_at:.1f}s: "
        f"{changes / (changes_ended - changed_at):,.0f} deliveries/s"
    )


if __name__ == "__main__":
    main()
