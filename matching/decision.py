"""From scored pairs to a decision: link, review or new, with its explanation.

:func:`conclude` takes one record's rows (its own first, then its candidates'
members) and the scores of its pairs, and applies the settings' thresholds and
the rules that keep clusters from chaining: no link across a conflict of
validated strong identifiers, and no chaining when a second golden record would
link too (the record joins its best candidate and the pair of golden records
goes to a steward). :func:`verdict` is the pair rule batch dedupe applies as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.explanation import CandidateProbability, MatchExplanation, RelatedParty
from matching.hierarchy import group_reasons
from matching.port import Candidate, Decision, DecisionAction, Prepared
from matching.scoring import ScoredPairs, explain
from matching.settings import MatchSettings

__all__ = [
    "Compared",
    "conclude",
    "outright_disagreement",
    "related_pairs",
    "related_reasons",
    "verdict",
    "verdicts",
]


@dataclass(slots=True)
class Compared:
    """One record and its candidates as rows: ``rows[0]`` is the record, then one row per
    compared member (or attributes), with its candidate's index and its origin."""

    candidates: Sequence[Candidate]
    rows: list[Prepared]
    originals: list[Mapping[str, Any]]
    owner: list[int] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)


def verdict(
    settings: MatchSettings, probability: float, *, conflict: bool = False, related: bool = False
) -> DecisionAction:
    """``link``, ``review`` or ``new`` for one pair: the one rule both the hub and batch apply.

    At or above the link threshold the pair links, unless two validated strong
    identifiers disagree or the pair is ``related`` (then a steward decides); at or
    above the review threshold it goes to review, unless it is related: relatives
    the model itself doubts are two parties, not work for a steward; below, nothing
    happens.
    """
    if probability < settings.thresholds.review:
        return "new"
    if related and probability < settings.thresholds.link:
        return "new"
    if conflict or related or probability < settings.thresholds.link:
        return "review"
    return "link"


def verdicts(
    settings: MatchSettings, probability: npt.NDArray[np.float64]
) -> npt.NDArray[np.object_]:
    """:func:`verdict` without conflicts for an array of probabilities (an array of
    :data:`~matching.port.DecisionAction` strings)."""
    out = np.full(len(probability), "new", dtype=object)
    out[probability >= settings.thresholds.review] = "review"
    out[probability >= settings.thresholds.link] = "link"
    return out


def _unvalidated(settings: MatchSettings) -> dict[str, int]:
    """Strong identifiers without a validity flag -> the column of their comparison."""
    names = [c.fields[0] for c in settings.comparisons]
    return {
        key: names.index(key)
        for key in settings.strong_identifiers
        if key not in settings.identifier_validity and key in names
    }


def outright_disagreement(
    settings: MatchSettings, gammas: npt.NDArray[np.int8]
) -> npt.NDArray[np.bool_]:
    """Pairs where a strong identifier without a checksum disagrees outright.

    Such an identifier (a registration number) cannot say which side holds a
    typo, so one character off or two swapped is its own level, evidence
    rather than a veto; only landing on its ``else`` level vetoes a link.
    """
    out = np.zeros(len(gammas), dtype=bool)
    for col in _unvalidated(settings).values():
        out |= gammas[:, col] == len(settings.comparisons[col].levels) - 1
    return out


def _identified(settings: MatchSettings, gammas: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    """Pairs that agree exactly on a strong identifier: no household or chain shares one,
    so a ``related`` level does not hold them back."""
    out = np.zeros(len(gammas), dtype=bool)
    for col, comp in enumerate(settings.comparisons):
        if comp.fields[0] in settings.strong_identifiers:
            exact = [i for i, lv in enumerate(comp.levels) if lv.kind == "exact" and not lv.field]
            for index in exact:
                out |= gammas[:, col] == index
    return out


def _related_levels(settings: MatchSettings) -> list[tuple[int, int]]:
    """(comparison, level) of every ``related`` level: related parties, never one link."""
    return [
        (col, index)
        for col, comp in enumerate(settings.comparisons)
        for index, level in enumerate(comp.levels)
        if level.related
    ]


def related_pairs(settings: MatchSettings, gammas: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    """Pairs on a ``related`` level that agree exactly on no strong identifier."""
    out = np.zeros(len(gammas), dtype=bool)
    for col, index in _related_levels(settings):
        out |= gammas[:, col] == index
    return out & ~_identified(settings, gammas)


def related_reasons(settings: MatchSettings, gammas: npt.NDArray[np.int8]) -> list[str]:
    """Labels of the ``related`` levels one pair (its comparison vector) lands on
    (none when the pair agrees exactly on a strong identifier)."""
    if _identified(settings, gammas[None, :])[0]:
        return []
    return [
        settings.comparisons[col].levels[index].label
        for col, index in _related_levels(settings)
        if int(gammas[col]) == index
    ]


def _shown(settings: MatchSettings, compared: Compared) -> dict[tuple[str, str | None], str]:
    shown: dict[tuple[str, str | None], str] = {}
    for std, raw in zip(compared.rows, compared.originals, strict=True):
        for key in settings.strong_identifiers:
            if std.get(key) and raw.get(key):
                shown.setdefault((key, std[key]), str(raw[key]))
    return shown


_Idents = dict[str, set[str | None]]


def _conflicts(
    shown: dict[tuple[str, str | None], str], a: _Idents, b: _Idents
) -> dict[str, list[str]]:
    """Per strong identifier both sides have without a common value: ours, then theirs,
    as the sources wrote them."""
    return {
        k: [shown.get((k, v), v) for side in (a, b) for v in sorted(x for x in side[k] if x)]
        for k in a
        if k in b and not (a[k] & b[k])
    }


def _ranked(
    settings: MatchSettings,
    compared: Compared,
    gammas: npt.NDArray[np.int8],
    weight: npt.NDArray[np.float64],
    probability: npt.NDArray[np.float64],
) -> tuple[dict[int, int], list[int], set[int]]:
    """(each candidate's row that speaks for it, candidates best first, those whose row is
    a relative's). A candidate's row is its best member that is the same party and links,
    else its best member; a relative (household member, sister store) scoring higher is no
    rival for a candidate that is the same party and links, as in batch dedupe."""
    owners = np.array(compared.owner)
    order = np.argsort(-weight, kind="stable").tolist()
    related_row = set(np.flatnonzero(related_pairs(settings, gammas)).tolist())
    best_row: dict[int, int] = {}
    for k in order:
        if k not in related_row and probability[k] >= settings.thresholds.link:
            best_row.setdefault(int(owners[k]), k)
    for k in order:
        best_row.setdefault(int(owners[k]), k)
    ranked = sorted(best_row, key=lambda c: -weight[best_row[c]])
    related_to = {c for c in ranked if best_row[c] in related_row}
    clean = [c for c in ranked if c not in related_to]
    if related_to and clean and probability[best_row[clean[0]]] >= settings.thresholds.link:
        ranked = clean + [c for c in ranked if c in related_to]
    return best_row, ranked, related_to


def conclude(
    entity_type: str,
    settings: MatchSettings,
    compared: Compared,
    gammas: npt.NDArray[np.int8],
    scored: ScoredPairs,
    pairs: slice,
) -> Decision:
    """The decision for ``compared``, whose pairs are ``pairs`` of ``scored``; with
    ``related_parties`` in its explanation when candidates it does not join look like
    organisations of the record's group (:func:`matching.hierarchy.group_reasons`)."""
    decision = _conclude(entity_type, settings, compared, gammas, scored, pairs)
    joined = decision.golden_id if decision.action != "new" else None
    related = _related_parties(compared, scored.probability[pairs], joined)
    if not related:
        return decision
    explanation: MatchExplanation = {**decision.explanation, "related_parties": related}
    if decision.action == "new":
        explanation["reason"] = f"related, not the same: {'; '.join(related[0]['reasons'])}"
    return replace(decision, explanation=explanation)


def _related_parties(
    compared: Compared, probability: npt.NDArray[np.float64], joined: str | None
) -> list[RelatedParty]:
    """Candidates (other than the one the record joins or is reviewed against) that are
    organisations of one group with the record, most probable first."""
    found: dict[int, tuple[float, list[str]]] = {}
    for k, (row, who) in enumerate(zip(compared.rows[1:], compared.owner, strict=True)):
        if compared.candidates[who].golden_id == joined:
            continue
        reasons = group_reasons(compared.rows[0], row)
        if reasons and (who not in found or probability[k] > found[who][0]):
            found[who] = (float(probability[k]), reasons)
    ranked = sorted(found.items(), key=lambda item: -item[1][0])
    return [
        {
            "golden_id": compared.candidates[who].golden_id,
            "reasons": reasons,
            "match_probability": round(prob, 6),
        }
        for who, (prob, reasons) in ranked[:3]
    ]


def _conclude(
    entity_type: str,
    settings: MatchSettings,
    compared: Compared,
    gammas: npt.NDArray[np.int8],
    scored: ScoredPairs,
    pairs: slice,
) -> Decision:
    candidates = compared.candidates
    weight, probability = scored.weight[pairs], scored.probability[pairs]
    best_row, ranked, related_to = _ranked(settings, compared, gammas, weight, probability)
    idents = _strong(settings, compared.rows[1:], compared.owner, len(candidates))
    mine = _strong(settings, compared.rows[:1], [0], 1)[0]
    shown = _shown(settings, compared)
    top, k = ranked[0], best_row[ranked[0]]
    prob = float(probability[k])
    pair = explain(settings, gammas[k], scored.parts[pairs][k], scored.related[pairs][k])
    # every key of PairExplanation, named: mypy --strict refuses ** into a partial TypedDict
    explanation: MatchExplanation = {
        "entity_type": entity_type,
        "candidate": candidates[top].golden_id,
        "compared_with": compared.origin[k],
        "settings_version": pair["settings_version"],
        "prior_log2_odds": pair["prior_log2_odds"],
        "match_weight": pair["match_weight"],
        "match_probability": pair["match_probability"],
        "comparisons": pair["comparisons"],
        "candidates": [
            {
                "golden_id": candidates[c].golden_id,
                "match_probability": round(float(probability[best_row[c]]), 6),
            }
            for c in ranked[:10]
        ],
    }
    others = tuple(
        candidates[c].golden_id
        for c in ranked[1:]
        if probability[best_row[c]] >= settings.thresholds.review
    )
    gid = candidates[top].golden_id
    clash = _conflicts(shown, mine, idents[top])
    for key, col in _unvalidated(settings).items():
        if key in clash and gammas[k][col] != len(settings.comparisons[col].levels) - 1:
            del clash[key]
    related = related_reasons(settings, gammas[k])
    kind = verdict(settings, prob, conflict=bool(clash), related=bool(related))
    if kind == "new" and related and prob >= settings.thresholds.review:
        explanation["reason"] = f"related, not the same: {'; '.join(related)}"
        explanation["related"] = related
        return Decision("new", None, prob, settings.version, explanation)
    if kind == "new":
        explanation["reason"] = "no candidate reaches the review threshold"
        return Decision("new", None, prob, settings.version, explanation)
    if related and not clash:
        explanation["reason"] = f"related, not the same: {'; '.join(related)}"
        explanation["related"] = related
    elif clash:
        explanation["reason"] = f"strong identifier conflict with candidate: {', '.join(clash)}"
        explanation["conflicts"] = clash
    elif kind == "review":
        explanation["reason"] = "between the review and link thresholds"
    else:
        kind = _second_link(
            settings,
            explanation,
            shown,
            mine,
            idents,
            [c for c in ranked if c == ranked[0] or c not in related_to],
            best_row,
            probability,
            candidates,
        )
    return Decision(kind, gid, prob, settings.version, explanation, others)


def _second_link(
    settings: MatchSettings,
    explanation: MatchExplanation,
    shown: dict[tuple[str, str | None], str],
    mine: _Idents,
    idents: list[_Idents],
    ranked: list[int],
    best_row: dict[int, int],
    probability: npt.NDArray[np.float64],
    candidates: Sequence[Candidate],
) -> DecisionAction:
    """``link``; ``review`` when a second golden record would link too across a conflict of
    strong identifiers; a second one without a conflict is named in ``also_links`` (the
    caller asks a steward about that pair: no chaining, and no golden record of its own)."""
    top = ranked[0]
    merged = {
        key: idents[top].get(key, set()) | mine.get(key, set())
        for key in set(idents[top]) | set(mine)
    }
    # the record carries the very validated identifier its top candidate holds: a look-alike
    # holding another value of it is a different party, not a second home for this record
    anchored = any(mine.get(key, set()) & idents[top].get(key, set()) for key in mine)
    for c in ranked[1:]:
        if probability[best_row[c]] < settings.thresholds.link:
            break
        clash = _conflicts(shown, merged, idents[c])
        other = candidates[c].golden_id
        if clash and anchored:
            continue
        if clash:
            explanation["conflicts"] = clash
            explanation["reason"] = f"also links {other}, whose {', '.join(clash)} differs"
            return "review"
        # no conflict: the record joins its best candidate, and whether the two golden
        # records are one is a task about that pair, not a golden record of its own
        explanation["reason"] = (
            f"at or above the link threshold; also links {other}: the two golden records "
            "may be duplicates, so a steward decides instead of the record chaining them"
        )
        also: CandidateProbability = {
            "golden_id": other,
            "match_probability": round(float(probability[best_row[c]]), 6),
        }
        explanation["also_links"] = [also]
        return "link"
    explanation["reason"] = "at or above the link threshold"
    return "link"


def _strong(
    settings: MatchSettings, rows: Sequence[Prepared], owner: Sequence[int], count: int
) -> list[_Idents]:
    """Validated strong identifiers per owner (see ``MatchSettings.identifier_validity``)."""
    found: list[_Idents] = [{} for _ in range(count)]
    for row, who in zip(rows, owner, strict=True):
        for key in settings.strong_identifiers:
            flag = settings.identifier_validity.get(key)
            if row.get(key) and (flag is None or row.get(flag)):
                found[who].setdefault(key, set()).add(row[key])
    return found
