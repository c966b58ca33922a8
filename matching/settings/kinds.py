"""The fixed vocabularies of match settings: kinds of comparison level and scorers."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["SCORERS", "LevelKind", "Scorer"]

LevelKind = Literal["null", "exact", "fuzzy", "cross", "initial", "prefix", "differ", "else"]
Scorer = Literal[
    "jaro_winkler",
    "ratio",
    "levenshtein",
    "token_sort_ratio",
    "token_set_ratio",
    "partial_ratio",
    "wratio",
    "osa",
    "transposition",
]
SCORERS: tuple[Scorer, ...] = get_args(Scorer)
