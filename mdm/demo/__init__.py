"""A small demo data set: a few customers, products and prices across five systems."""

from __future__ import annotations

from collections import Counter
from functools import partial
from importlib import resources

from sqlalchemy.engine import Engine

from matching.port import Matcher
from mdm.services.files import parse_jsonl_line
from mdm.services.ingest import IngestItem, ItemResult, ingest_records
from mdm.services.uow import UnitOfWork, run_in_transaction

__all__ = ["DEMO_FILES", "load_demo"]

# Order matters only for readability of the history: parents before children.
DEMO_FILES = (
    "crm.customer.jsonl",
    "erp.customer.jsonl",
    "billing.customer.jsonl",
    "cpq.product.jsonl",
    "erp.product.jsonl",
    "cpq.price.jsonl",
)


def load_demo(engine: Engine, matcher: Matcher) -> Counter[str]:
    counts: Counter[str] = Counter()
    for name in DEMO_FILES:
        source, entity, _ = name.split(".")
        lines = resources.files("mdm.demo").joinpath(name).read_bytes().splitlines()
        items = [parse_jsonl_line(line, n) for n, line in enumerate(lines, 1) if line.strip()]
        results = run_in_transaction(
            engine, partial(_ingest, matcher=matcher, source=source, entity=entity, items=items)
        )
        counts.update(r.action or "rejected" for r in results)
    return counts


def _ingest(
    uow: UnitOfWork, *, matcher: Matcher, source: str, entity: str, items: list[IngestItem]
) -> list[ItemResult]:
    return ingest_records(
        uow,
        matcher,
        source=source,
        entity_type=entity,
        items=items,
        correlation_id="demo-load",
    )
