"""Rematch after a rule change: the whole hub scored again under proposed settings, with
every steward decision kept, compared with the golden records of now.

Steps (each timed, in ``Rematch.seconds``): read every record of the entity type
(:func:`mdm.domain.rematch_hub.read_hub`) and the decisions about them; cluster with the
batch engine under the proposed settings, without training (:func:`matching.batch.dedupe_table`:
a rematch judges settings, it does not make new ones); lay the decisions over that
clustering (:func:`matching.decided.keep_decisions`); compare with the golden records
(:func:`matching.rematch.membership_changes`) and the open tasks
(:func:`matching.rematch.review_changes`); and find the decisions the model alone would
have contradicted (:func:`matching.decided.contradicted`). Nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from matching.batch import DedupeResult, TableDedupe, dedupe_table, strong_codes, table_fields
from matching.decided import Kept, contradicted, keep_decisions
from matching.port import Matcher
from matching.rematch import (
    BestPairs,
    MembershipChanges,
    PairScorer,
    ReviewChanges,
    membership_changes,
    review_changes,
)
from matching.settings import MatchSettings, SettingsError, default_settings, parse_settings
from matching.table import RecordTable
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import matched_type
from mdm.domain.rematch_hub import HubDecisions, HubRecords, read_decisions, read_hub

__all__ = ["Proposal", "Rematch", "proposed_settings", "rematch"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Proposal:
    """Which settings to rematch with: a settings document, a stored (or shipped) version,
    or neither (the settings deciding now)."""

    entity_type: str
    document: Mapping[str, Any] | None = None
    version: str | None = None


def proposed_settings(uow: UnitOfWork, matcher: Matcher, proposal: Proposal) -> MatchSettings:
    """The settings ``proposal`` names. 404 for an unknown entity type or version, 422 for
    a type the matcher does not match, a document that is not valid settings, or settings
    of another entity type; 409 when the configured matcher has no settings at all."""
    entity_type = proposal.entity_type
    matched_type(entity_type)
    if proposal.document is not None and proposal.version is not None:
        raise InvalidInput(
            "give settings or a version, not both",
            [FieldError("/version", "leave it out when settings are given", "invalid")],
        )
    if proposal.document is not None:
        try:
            chosen = parse_settings(proposal.document)
        # parse_settings reads a document of the right shape; one of another shape (a
        # number where a list belongs) fails in the reading
        except (SettingsError, TypeError, AttributeError, KeyError, ValueError) as exc:
            raise InvalidInput(
                f"the settings are not valid: {exc}", [FieldError("/settings", str(exc))]
            ) from exc
        pointer = "/settings/entity_type"
    elif proposal.version is not None:
        chosen = _stored(uow, proposal.version)
        pointer = "/version"
    else:
        settings_for: Callable[[str], MatchSettings] | None = getattr(matcher, "settings_for", None)
        if settings_for is None:
            raise Conflict("the configured matcher has no match settings to rematch with")
        return settings_for(entity_type)
    if chosen.entity_type != entity_type:
        raise InvalidInput(
            f"those are {chosen.entity_type} settings, not {entity_type} settings",
            [FieldError(pointer, f"must be {entity_type} settings")],
        )
    return _usable(chosen, pointer)


def _usable(settings: MatchSettings, pointer: str) -> MatchSettings:
    """``settings`` once the batch engine has run with them on two empty records: a part
    of the document the reader let through but the engine cannot use (term frequencies
    that are not a table) is a 422 here, not a failure after reading every record."""
    table = RecordTable.from_rows([{}, {}], table_fields(settings))
    try:
        dedupe_table(table, settings, train_model=False)
        PairScorer(settings, table).score(np.array([0]), np.array([1]))
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        raise InvalidInput(
            f"the settings cannot be used: {exc}",
            [FieldError(pointer.rsplit("/", 1)[0] or pointer, str(exc))],
        ) from exc
    return settings


def _stored(uow: UnitOfWork, version: str) -> MatchSettings:
    body = uow.match_settings.body_of(version)
    if body is not None:
        return parse_settings(body)
    shipped = {default_settings(t).version: default_settings(t) for t in ("customer", "product")}
    if version in shipped:
        return shipped[version]
    raise NotFound(f"no stored match settings version '{version}'")


@dataclass(eq=False)
class Rematch:
    """Everything a rematch found, as rows of ``hub``; :mod:`mdm.domain.rematch_report`
    turns it into counts, samples and the report."""

    settings: MatchSettings
    hub: HubRecords
    decisions: HubDecisions
    raw: DedupeResult
    kept: Kept
    changes: MembershipChanges
    reviews: ReviewChanges
    scorer: PairScorer
    together_best: BestPairs
    apart_best: BestPairs
    contradicted_together: list[int]
    contradicted_apart: list[int]
    seconds: dict[str, float] = field(default_factory=dict)


def _timed(seconds: dict[str, float], step: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    out = work()
    seconds[step] = round(time.perf_counter() - start, 3)
    return out


def rematch(
    uow: UnitOfWork,
    matcher: Matcher,
    settings: MatchSettings,
    dedupe: TableDedupe = dedupe_table,
) -> Rematch:
    """Rematch every record of ``settings.entity_type`` (module docstring). Reads only.
    ``dedupe`` is the batch engine (:mod:`mdm.domain.batch_engine`)."""
    seconds: dict[str, float] = {}
    hub = _timed(seconds, "read", lambda: read_hub(uow, matcher, settings))
    decisions = _timed(seconds, "decisions", lambda: read_decisions(uow, hub))
    raw = _timed(seconds, "cluster", lambda: dedupe(hub.table, settings, train_model=False))
    scorer = PairScorer(settings, hub.table)
    together = [d.sides for d in decisions.together]
    apart = [d.sides for d in decisions.apart]
    kept = _timed(
        seconds,
        "keep_decisions",
        lambda: keep_decisions(
            raw.labels, together, apart, scorer, strong_codes(settings, hub.table)
        ),
    )
    start = time.perf_counter()
    changes = membership_changes(hub.golden, kept.labels)
    questions = [d.sides for d in decisions.questions]
    reviews = review_changes(kept.labels, raw.review, questions, apart)
    together_best, apart_best = scorer.best(together), scorer.best(apart)
    split, joined = contradicted(
        raw.labels, together, together_best.probability, apart, settings.thresholds.review
    )
    seconds["compare"] = round(time.perf_counter() - start, 3)
    return Rematch(
        settings,
        hub,
        decisions,
        raw,
        kept,
        changes,
        reviews,
        scorer,
        together_best,
        apart_best,
        split,
        joined,
        seconds,
    )
