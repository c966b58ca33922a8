"""From scored pairs to a decision: link, review or new, with its explanation.

:func:`conclude` takes one record's rows (its own first, then its candidates'
members) and the scores of its pairs, and applies the settings' thresholds and
the rules that keep clusters from chaining: no link across a strong identifier
conflict, and no link when a second golden record would link too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.port import Candidate, Decision
from matching.scoring import ScoredPairs, explain
from matching.settings import MatchSettings
from matching.standardize import Standardized

__all__ = ["Compared", "conclude"]


@dataclass(slots=True)
class Compared:
    """One record and its candidates as rows: ``rows[0]`` is the record, then one row per
    compared member (or attributes), with its candidate's index and its origin."""

    candidates: Sequence[Candidate]
    rows: list[Standardized]
    originals: list[Mapping[str, Any]]
    owner: list[int] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)


def conclude(
    entity_type: str,
    settings: MatchSettings,
    compared: Compared,
    gammas: npt.NDArray[np.int8],
    scored: ScoredPairs,
    pairs: slice,
) -> Decision:
    """The decision for ``compared``, whose pairs are ``pairs`` of ``scored``."""
    candidates = compared.candidates
    rows = compared.rows
    weight, probability, parts = (
        scored.weight[pairs],
        scored.probability[pairs],
        scored.parts[pairs],
    )
    owners = np.array(compared.owner)
    best_row: dict[int, int] = {}
    for k in np.argsort(-weight, kind="stable").tolist():
        best_row.setdefault(int(owners[k]), k)
    ranked = sorted(best_row, key=lambda c: -weight[best_row[c]])
    idents = _strong(settings, compared.rows, compared.owner, len(candidates))
    mine = {k: {rows[0][k]} for k in settings.strong_identifiers if rows[0].get(k)}

    shown: dict[tuple[str, str | None], str] = {}
    for std, raw in zip(compared.rows, compared.originals, strict=True):
        for key in settings.strong_identifiers:
            if std.get(key) and raw.get(key):
                shown.setdefault((key, std[key]), str(raw[key]))

    def conflicts(
        a: dict[str, set[str | None]], b: dict[str, set[str | None]]
    ) -> dict[str, list[str]]:
        """Per strong identifier both sides have without a common value: ours, then
        theirs, as the sources wrote them."""
        return {
            k: [shown.get((k, v), v) for side in (a, b) for v in sorted(x for x in side[k] if x)]
            for k in a
            if k in b and not (a[k] & b[k])
        }

    top = ranked[0]
    k = best_row[top]
    prob = float(probability[k])
    detail = explain(settings, gammas[k], parts[k])
    explanation: dict[str, Any] = {
        "entity_type": entity_type,
        "candidate": candidates[top].golden_id,
        "compared_with": compared.origin[k],
        **detail,
        "candidates": [
            {
                "golden_id": candidates[c].golden_id,
                "match_probability": round(float(probability[best_row[c]]), 6),
            }
            for c in ranked[:10]
        ],
    }
    thresholds = settings.thresholds
    others = tuple(
        candidates[c].golden_id for c in ranked[1:] if probability[best_row[c]] >= thresholds.review
    )
    gid = candidates[top].golden_id
    if prob < thresholds.review:
        explanation["reason"] = "no candidate reaches the review threshold"
        return Decision("new", None, prob, settings.version, explanation)
    clash = conflicts(mine, idents[top])
    if clash:
        explanation["reason"] = f"strong identifier conflict with candidate: {', '.join(clash)}"
        explanation["conflicts"] = clash
        return Decision("review", gid, prob, settings.version, explanation, others)
    if prob < thresholds.link:
        explanation["reason"] = "between the review and link thresholds"
        return Decision("review", gid, prob, settings.version, explanation, others)
    merged = {
        key: idents[top].get(key, set()) | mine.get(key, set())
        for key in set(idents[top]) | set(mine)
    }
    for c in ranked[1:]:
        if probability[best_row[c]] < thresholds.link:
            break
        clash = conflicts(merged, idents[c])
        other = candidates[c].golden_id
        if clash:
            explanation["conflicts"] = clash
            explanation["reason"] = f"also links {other}, whose {', '.join(clash)} differs"
        else:
            explanation["reason"] = (
                f"also links {other}: the two golden records may be duplicates, "
                "so a steward decides instead of the record chaining them"
            )
        return Decision("review", gid, prob, settings.version, explanation, others)
    explanation["reason"] = "at or above the link threshold"
    return Decision("link", gid, prob, settings.version, explanation, others)


def _strong(
    settings: MatchSettings, rows: list[Standardized], owner: list[int], count: int
) -> list[dict[str, set[str | None]]]:
    found: list[dict[str, set[str | None]]] = [{} for _ in range(count)]
    for row, who in zip(rows[1:], owner, strict=True):
        for key in settings.strong_identifiers:
            if row.get(key):
                found[who].setdefault(key, set()).add(row[key])
    return found
