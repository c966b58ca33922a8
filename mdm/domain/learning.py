"""Which entity types the matcher decides, and the matcher's learning side."""

from __future__ import annotations

from canonical.errors import Conflict
from matching.port import LearningMatcher, Matcher

__all__ = ["MATCHED_TYPES", "learner"]

MATCHED_TYPES = ("customer", "product")


def learner(matcher: Matcher) -> LearningMatcher:
    """The matcher as one that learns from steward decisions (409 if it does not)."""
    if not isinstance(matcher, LearningMatcher):
        raise Conflict("the configured matcher does not learn from steward decisions")
    return matcher
