"""What batch dedupe takes and reports besides its arrays: the pair sink, its options
and its statistics (re-exported by :mod:`matching.batch`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from matching.explanation import ScoredPair

__all__ = ["DedupeOptions", "DedupeStats", "PairSink"]

PairSink = Callable[[list[ScoredPair]], None]
"""Receives scored pairs as JSON-ready dicts (``left``, ``right`` row, probability, explanation)."""


class DedupeOptions(TypedDict, total=False):
    """:func:`dedupe_table`'s keyword options that :func:`dedupe` passes on."""

    progress: Callable[[int], None] | None
    on_total: Callable[[int], None] | None
    pair_sink: PairSink | None
    pair_min_probability: float | None
    seed: int


class DedupeStats(TypedDict, total=False):
    """What one dedupe found: candidate pairs compared, links followed or refused by the
    anti-chaining rule, and the version of the settings that scored them (the Spark
    engine reports the links only)."""

    candidate_pairs: int
    links: int
    refused_links: int
    settings_version: str
