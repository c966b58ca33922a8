"""Read: the match settings deciding now, described for a steward, and the stored trainings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from canonical.timestamps import iso
from matching.describe import describe_settings
from matching.port import Matcher
from matching.settings import MatchSettings
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import MATCHED_TYPES

__all__ = ["settings_in_use"]


def settings_in_use(
    uow: UnitOfWork, matcher: Matcher, *, entity_type: str | None = None
) -> dict[str, Any]:
    """``in_use`` (the versions deciding now), ``settings`` (each matched entity type's,
    or only ``entity_type``'s, as :func:`matching.describe.describe_settings` shows them;
    empty for a matcher without settings) and ``trained`` (stored trainings, newest first).
    """
    types = (entity_type,) if entity_type else MATCHED_TYPES
    settings_for: Callable[[str], MatchSettings] | None = getattr(matcher, "settings_for", None)
    return {
        "in_use": matcher.settings_version,
        "settings": [describe_settings(settings_for(t)) for t in types] if settings_for else [],
        "trained": [
            {
                "version": r["version"],
                "entity_type": r["entity_type"],
                "labels": r["labels"],
                "created_by": r["created_by"],
                "created_at": iso(r["created_at"]),
            }
            for r in uow.match_settings.recent()
            if entity_type is None or r["entity_type"] == entity_type
        ],
    }
