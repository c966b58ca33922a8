"""What a training of match settings saw, stored with the settings (``trained_on``)."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["EmSession", "TrainedOn"]


class EmSession(TypedDict):
    """One EM run of a training: on the pairs of one blocking rule."""

    rule: str
    pairs: int
    iterations: int
    converged: bool
    prior: float


class TrainedOn(TypedDict, total=False):
    """What a training of the settings saw, stored with them: counts, the EM sessions,
    the comparisons that had values, the priors among candidate pairs, the term
    frequencies scoring uses (stored shares per field, and the mean share of the rest),
    the labelled pairs of a steward refinement, and the sources the hub trained on."""

    records: int
    em_sessions: list[EmSession]
    compared: list[str]
    prior_pairs: int
    candidate_pairs: int
    candidate_match_share: float
    candidate_related_share: float
    u_random_pairs: int
    term_frequencies: dict[str, dict[str, float]]
    term_frequency_rest: dict[str, float]
    labelled_pairs: int
    sources: list[str]
