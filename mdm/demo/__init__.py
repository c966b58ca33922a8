"""A small demo data set: a few customers, products and prices across five systems, and
a few doubtful matches (a match review and an identifier conflict) waiting for a
steward, so a new user sees the queue at work."""

from __future__ import annotations

from collections import Counter
from importlib import resources

from canonical.commands import IngestRecords
from mdm.bus import MessageBus
from mdm.domain.files import parse_jsonl_line

__all__ = ["DEMO_FILES", "load_demo"]

# Order matters only for readability of the history: parents before children.
DEMO_FILES = (
    "crm.customer.jsonl",
    "erp.customer.jsonl",
    "billing.customer.jsonl",
    "support.customer.jsonl",
    "cpq.product.jsonl",
    "erp.product.jsonl",
    "cpq.price.jsonl",
)


def load_demo(bus: MessageBus) -> Counter[str]:
    counts: Counter[str] = Counter()
    for name in DEMO_FILES:
        source, entity, _ = name.split(".")
        lines = resources.files("mdm.demo").joinpath(name).read_bytes().splitlines()
        items = tuple(parse_jsonl_line(line, n) for n, line in enumerate(lines, 1) if line.strip())
        results = bus.handle(IngestRecords(source, entity, items, "demo-load"))
        counts.update(r.action or "rejected" for r in results)
    return counts
