"""One stream message of a source's transactional events, into the hub.

Sources publish on ``<prefix>.inbound.<source>.<event type>`` (the third token is the
source, so NATS permissions can let each source publish under its own name only); the
payload is one canonical event or a JSON array of them. A message is handed to
:class:`canonical.commands.RecordEvents` like a REST batch: duplicates, stale and parked
events are results like any other, invalid events are quarantined, and the message is
acknowledged. It comes back later (retried later) when the hub cannot take it now: the
database is unavailable, or the source is not registered yet (its events are kept in
the stream, not dropped). It is terminated (rejected) only when it is not on an
inbound subject at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson

from canonical.commands import RecordEvents
from canonical.errors import FieldError, UnknownSource
from mdm.plugin_api import Container
from sync.stream import ACK, Verdict, reject, retry_later

__all__ = ["inbound_source", "intake_message"]

log = logging.getLogger(__name__)

UNKNOWN_SOURCE_RETRY_S = 60.0


def inbound_source(subject: str, *, prefix: str) -> str | None:
    """The source of an inbound subject, or None for any other subject."""
    head = f"{prefix}.inbound."
    if not subject.startswith(head):
        return None
    source = subject[len(head) :].partition(".")[0]
    return source or None


def _commands(
    container: Container, source: str, data: bytes, headers: Mapping[str, str]
) -> list[RecordEvents]:
    cid = headers.get("X-Correlation-ID")
    try:
        body: Any = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        text = data.decode("utf-8", "replace")[:100_000]
        why = (FieldError("/", f"the message is not JSON: {exc}", "malformed_json"),)
        return [RecordEvents(source, (), cid, origin="stream", refused=((text, why),))]
    events = body if isinstance(body, list) else [body]
    size = container.settings.max_batch_items
    return [
        RecordEvents(source, tuple(events[i : i + size]), cid, origin="stream")
        for i in range(0, max(len(events), 1), size)
    ]


def intake_message(
    container: Container, *, subject: str, data: bytes, headers: Mapping[str, str], prefix: str
) -> Verdict:
    """Take one message in (see the module docstring); the verdict settles it."""
    source = inbound_source(subject, prefix=prefix)
    if source is None:
        return reject(f"{subject} is not an inbound subject")
    try:
        for command in _commands(container, source, data, headers):
            container.bus.handle(command)
    except UnknownSource:
        return retry_later(UNKNOWN_SOURCE_RETRY_S, f"source '{source}' is not registered")
    except Exception as exc:
        log.exception("inbound intake of %s failed", subject)
        return retry_later(reason=repr(exc))
    return ACK
