"""Read: what a rematch under proposed settings would change (a dry run; nothing is
written). The work is :func:`mdm.domain.rematch.rematch`; the shape of the answer is
:func:`mdm.domain.rematch_report.impact`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from canonical.commands import BatchEngine
from matching.port import Matcher
from matching.settings import MatchSettings
from mdm.db.uow import UnitOfWork
from mdm.domain.batch_engine import table_dedupe
from mdm.domain.rematch import Proposal, proposed_settings, rematch
from mdm.domain.rematch_report import impact

__all__ = ["preview_rematch"]


def preview_rematch(
    uow: UnitOfWork,
    matcher: Matcher,
    proposal: Proposal,
    *,
    samples: int = 10,
    full: bool = False,
    pii: bool = False,
    engine: BatchEngine | None = None,
) -> dict[str, Any]:
    """The impact of rematching every record of ``proposal.entity_type`` under the
    proposed settings: counts, ``samples`` items of each kind, and with ``full`` every
    item (``items``); ``in_use`` is the version deciding now. Personal data is masked
    unless ``pii``. ``engine``: where the batch matching runs (default this process)."""
    settings = proposed_settings(uow, matcher, proposal)
    found = rematch(uow, matcher, settings, table_dedupe(engine))
    out = impact(uow, found, samples=samples, full=full, pii=pii)
    settings_for: Callable[[str], MatchSettings] | None = getattr(matcher, "settings_for", None)
    in_use = settings_for(proposal.entity_type).version if settings_for else None
    return {**out, "in_use": in_use, "applied": False}
