"""What merge, unmerge and split share: loading the golden records they act on,
re-pointing the key index, and the rules every steward change follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from canonical.states import GoldenStatus
from matching.port import Matcher
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import GoldenState

__all__ = ["audit", "load_active", "reindex", "require_reason"]


def require_reason(reason: str | None) -> str:
    """Every steward change says why; the reason is kept with it."""
    if not reason or not reason.strip():
        raise InvalidInput(
            "a reason is required", [FieldError("/reason", "give a reason", "required")]
        )
    return reason.strip()[:1000]


def load_active(book: GoldenBook, entity_type: str, ids: Sequence[str]) -> list[GoldenState]:
    """The named golden records, loaded and locked; each must exist and be active."""
    book.load(ids)
    out = []
    for gid in ids:
        g = book.goldens.get(gid)
        if g is None or g.entity_type != entity_type:
            raise NotFound(f"no {entity_type} golden record '{gid}'")
        if g.status != GoldenStatus.ACTIVE:
            raise Conflict(f"golden record '{gid}' was already merged into '{g.merged_into}'")
        out.append(g)
    return out


def reindex(book: GoldenBook, matcher: Matcher, g: GoldenState) -> None:
    """``g`` is found under its members' keys, and nothing else, from now on (each
    member's keys as its source's default region reads them, as at its ingest)."""
    regions: dict[str, str | None] = {}
    keys: set[str] = set()
    for m in g.members.values():
        source = m["source"]
        if source not in regions:
            regions[source] = book.uow.sources.default_region(source)
        keys.update(matcher.keys(g.entity_type, m["payload"], default_region=regions[source]))
    book.uow.keys.replace(g.entity_type, g.id, keys)


def audit(
    book: GoldenBook,
    *,
    actor: str,
    action: str,
    target: str,
    reason: str | None,
    detail: Mapping[str, Any],
) -> None:
    book.uow.audit.record(
        actor=actor,
        action=action,
        target_id=target,
        detail=detail,
        reason=reason,
        correlation_id=book.correlation_id,
        at=book.uow.clock.now(),
    )
