"""The hub's own records as the table batch training reads.

Each source record keeps the matcher's prepared (standardized) form next to its
payload (``source_record.match_std``, written at ingest). Training reads those
instead of standardizing every record again; a record stored before the
current standardizer (or with nothing prepared) is prepared afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matching.batch import table_fields
from matching.port import Matcher
from matching.settings import MatchSettings
from matching.standardize import STANDARDIZER_VERSION
from matching.table import RecordTable
from mdm.db.uow import UnitOfWork

__all__ = ["MAX_TRAINING_RECORDS", "MIN_TRAINING_RECORDS", "record_table"]

MIN_TRAINING_RECORDS = 100
"""Fewer records than this give too few random pairs (under 5,000) for ``u`` and too
few candidate pairs for EM to tell matches from non-matches."""

MAX_TRAINING_RECORDS = 200_000
"""Training reads at most this many records (in id order, which is random): u, m and the
prior are shares, and 200,000 records give ``batch.train`` all the pairs it samples."""

# matching.engine tags each prepared record with the standardizer that made it
_STANDARDIZER_KEY = "_standardizer"


def _prepared(
    matcher: Matcher, entity_type: str, payload: Any, stored: Any
) -> Mapping[str, Any] | None:
    if isinstance(stored, Mapping) and stored.get(_STANDARDIZER_KEY) == STANDARDIZER_VERSION:
        return stored
    if not isinstance(payload, Mapping):
        return None
    return matcher.prepare(entity_type, payload)


def record_table(
    uow: UnitOfWork,
    matcher: Matcher,
    settings: MatchSettings,
    *,
    limit: int = MAX_TRAINING_RECORDS,
    incoming: Sequence[Any] = (),
) -> RecordTable:
    """The current records of ``settings.entity_type`` as a standardized table, followed by
    ``incoming`` (payloads about to be loaded; together at most ``limit``)."""
    entity_type = settings.entity_type
    rows = [
        prepared
        for payload, stored in uow.records.prepared_of(entity_type, limit=limit)
        if (prepared := _prepared(matcher, entity_type, payload, stored)) is not None
    ]
    for payload in incoming[: max(limit - len(rows), 0)]:
        prepared = _prepared(matcher, entity_type, payload, None)
        if prepared is not None:
            rows.append(prepared)
    return RecordTable.from_rows(rows, table_fields(settings))
