"""``mdm load --entity invoice FILE``: a bulk file of transactional events, with the same
semantics as the REST intake (dedup by event id, stale and parked events, invalid ones
quarantined), one transaction per chunk.

The file is JSON Lines, one canonical event per line (``.jsonl``/``.ndjson``), or one
JSON array (``.json``). ``--entity`` names the object type the file holds (``order``,
``invoice``, ``payment``, ``subscription``, ``support_case``; an event of another type
is refused), or ``events`` for a file of any of them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from canonical.commands import RecordEvents
from canonical.errors import FieldError
from mdm.bootstrap import bootstrap
from mdm.db.engine import refresh_statistics
from mdm.db.storable import loads_exact
from mdm.settings import get_settings

__all__ = ["ANY_EVENTS", "load_events_file", "read_events"]

ANY_EVENTS = "events"
_Item = tuple[Any, FieldError | None]


def read_events(path: Path) -> Iterator[_Item]:
    """``(event, None)`` per event, or ``(line text, error)`` for a line that is not JSON."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = loads_exact(path.read_bytes())
        for event in data if isinstance(data, list) else [data]:
            yield event, None
        return
    if suffix not in (".jsonl", ".ndjson"):
        raise ValueError(f"unsupported file type '{suffix}' for events: use .jsonl or .json")
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield loads_exact(line), None
            except orjson.JSONDecodeError as exc:
                text = line.decode("utf-8", "replace").strip()
                yield text, FieldError("/", f"line {number} is not JSON: {exc}", "malformed_json")


def _command(source: str, chunk: list[_Item], object_type: str | None, cid: str) -> RecordEvents:
    return RecordEvents(
        source,
        tuple(event for event, error in chunk if error is None),
        cid,
        origin="file",
        object_type=object_type,
        refused=tuple((event, (error,)) for event, error in chunk if error is not None),
    )


def load_events_file(
    path: Path,
    *,
    source: str,
    entity: str,
    chunk_size: int | None = None,
    progress: bool = True,
    correlation_id: str | None = None,
) -> Counter[str]:
    """Load ``path`` chunk by chunk; returns counts per result status."""
    settings = get_settings()
    container = bootstrap(settings, migrate=settings.is_sqlite)
    size = min(chunk_size or settings.load_chunk_size, settings.max_batch_items)
    object_type = None if entity == ANY_EVENTS else entity
    cid = correlation_id or f"load-{int(time.time())}"
    counts: Counter[str] = Counter()
    items = read_events(path)
    with tqdm(unit="event", disable=not progress, desc=path.name) as bar:
        while chunk := list(islice(items, size)):
            results = container.bus.handle(_command(source, chunk, object_type, cid))
            counts.update(r.status for r in results)
            bar.update(len(chunk))
    refresh_statistics(container.engine)
    return counts
