"""Transforms of one standardized value, shared by blocking keys and comparison levels.

A key such as ``name:sorted:prefix4`` names a standardized field followed by a
chain of transforms: ``prefixN``, ``suffixN``, ``tokenN``, ``sorted``,
``digits``, ``swapdm`` (``YYYYMMDD`` with day and month transposed) and
``nickname`` (a given name folded with :mod:`matching.nicknames`).
"""

from __future__ import annotations

from functools import lru_cache

from matching.nicknames import canonical_given_name

__all__ = ["parse_key", "transform"]

_DIGIT_CHARS = frozenset("0123456789")


@lru_cache(maxsize=1024)
def parse_key(key: str) -> tuple[str, tuple[tuple[str, int], ...]]:
    """(field, ((transform, argument), ...)) of a key such as ``name:prefix4``."""
    name, *steps = key.split(":")
    parsed = []
    for step in steps:
        word = step.rstrip("0123456789")
        parsed.append((word, int(step[len(word) :] or 0)))
    return name, tuple(parsed)


def _step(value: str, word: str, arg: int) -> str | None:
    if word == "prefix":
        return value[:arg]
    if word == "suffix":
        return value[-arg:]
    if word == "sorted":
        return " ".join(sorted(value.split()))
    if word == "token":
        tokens = value.split()
        return tokens[arg] if arg < len(tokens) else None
    if word == "digits":
        return "".join(ch for ch in value if ch in _DIGIT_CHARS)
    if word == "swapdm":
        return value[:4] + value[6:8] + value[4:6] if len(value) == 8 else None
    if word == "nickname":
        return canonical_given_name(value)
    return value


def transform(value: str | None, steps: tuple[tuple[str, int], ...]) -> str | None:
    """Apply a parsed transform chain to one standardized value (``None`` stays ``None``)."""
    for word, arg in steps:
        if not value:
            return None
        value = _step(value, word, arg)
    return value or None
