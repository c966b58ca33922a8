"""Term-frequency tables stored with trained settings, so the hub scores as batch dedupe does.

Training keeps, per tf-adjusted field, the shares of the values that matter
(:func:`top_term_frequencies`) and, for ``tf_upweight`` fields, one share for
every value it left out (:func:`rest_term_frequencies`); both scoring paths
read only these (:func:`matching.scoring.settings_term_frequencies`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matching.settings import MatchSettings
from matching.table import RecordTable

__all__ = ["rest_term_frequencies", "top_term_frequencies"]


EXCLUSIVE_LIMIT = 100_000
"""Values kept per ``tf_exclusive`` field. A value left out scores as held by one entity
alone, so every value held by more records than one entity has must be kept: at a million
synthetic accounts about 45,000-80,000 organization names are (with 2,000 kept, pairs of
different firms sharing a name, a city and a country linked, and pairwise precision fell to
0.97). At about 30 bytes a value the stored settings stay a few megabytes."""


def top_term_frequencies(
    settings: MatchSettings,
    table: RecordTable,
    *,
    limit: int = 2000,
    exclusive_limit: int = EXCLUSIVE_LIMIT,
) -> dict[str, dict[str, float]]:
    """The values of each tf-adjusted field whose share matters (stored for scoring).

    Ordinary levels keep the shares above the level's ``u`` (the only ones
    that lower a weight). ``tf_exclusive`` levels keep, per value, the share of
    records holding it beyond the records one entity has on average (an
    estimate from the trained prior): the chance that an unrelated record
    holds it. A value held by no more records than that is not stored and
    scores as held by one entity alone.
    """
    out: dict[str, dict[str, float]] = {}
    per_entity = 1.0 + settings.prior * (table.size - 1)
    for comp in settings.comparisons:
        for level in comp.levels:
            name = level.field or comp.fields[0]
            if level.kind != "exact" or not level.tf_adjustment or name not in table.codes:
                continue
            counts = table.counts(name).astype(np.float64)
            if level.tf_exclusive:
                shares = np.maximum(counts - per_entity, 0.0) / max(float(counts.sum()), 1.0)
                floor = 0.0
            elif level.tf_upweight:
                shares, floor = table.frequencies(name), -1.0
            else:
                shares, floor = table.frequencies(name), level.u
            top = np.argsort(-shares, kind="stable")[
                : exclusive_limit if level.tf_exclusive else limit
            ]
            top = top[shares[top] > floor]
            out[name] = {table.uniques[name][i]: float(shares[i]) for i in top}
    return out


def rest_term_frequencies(
    settings: MatchSettings, table: RecordTable, stored: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """Per ``tf_upweight`` field, the mean share of the values ``stored`` left out.

    A value the stored table does not know is scored with this share, both
    here and in the hub, so the two agree on every pair.
    """
    out: dict[str, float] = {}
    for comp in settings.comparisons:
        for level in comp.levels:
            name = level.field or comp.fields[0]
            if not level.tf_upweight or name not in table.codes:
                continue
            shares = table.frequencies(name)
            kept = stored.get(name, {})
            left_out = len(shares) - len(kept)
            mass = max(1.0 - sum(kept.values()), 0.0)
            out[name] = mass / left_out if left_out > 0 else float(shares.min(initial=1.0))
    return out
