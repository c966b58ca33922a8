"""Blocking: the keys a record is found under, and the candidate pairs of a table.

A rule's key joins its transformed parts with ``|`` and is prefixed with the
rule name, e.g. ``name4:acme|US``; a record has no key for a rule when any part
is null. The incremental hub persists :func:`record_keys` and looks candidates
up by them; batch dedupe streams :func:`candidate_pairs` over the same rules so
both see the same candidates.

Inside a block records are ordered by the settings' ``sort_field`` and each is
paired with its next ``window - 1`` neighbours (sorted neighbourhood), so a
block of a common value costs ``O(n * window)`` pairs, not ``O(n**2)``. A pair
found by an earlier rule is not produced again by a later one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import numpy.typing as npt

from matching.settings import BlockingRule, MatchSettings
from matching.table import RecordTable
from matching.transforms import parse_key, transform

__all__ = ["candidate_pairs", "pairs_by_rule", "record_keys", "rule_codes", "transform"]


def record_keys(settings: MatchSettings, record: Mapping[str, str | None]) -> list[str]:
    """Blocking keys of one standardized record, in rule order, without duplicates."""
    keys: list[str] = []
    for rule in settings.blocking:
        if any(record.get(name) for name in rule.unless):
            continue
        parts = []
        for key in rule.keys:
            name, steps = parse_key(key)
            part = transform(record.get(name), steps)
            if part is None:
                break
            parts.append(part)
        else:
            text = f"{rule.name}:{'|'.join(parts)}"
            if text not in keys:
                keys.append(text)
    return keys


def rule_codes(rule: BlockingRule, table: RecordTable) -> npt.NDArray[np.int64]:
    """Dense block id per row for ``rule`` (``-1`` where the record has no key), computed
    once per table (blocking and training both ask)."""
    return table.memo(("rule_codes", rule.keys, rule.unless), lambda: _rule_codes(rule, table))


def _rule_codes(rule: BlockingRule, table: RecordTable) -> npt.NDArray[np.int64]:
    combined: npt.NDArray[np.int64] | None = None
    for key in rule.keys:
        codes, uniques = table.column(key)
        part = codes.astype(np.int64)
        width = len(uniques) + 1
        if combined is None:
            combined = part
        else:
            missing = (combined < 0) | (part < 0)
            combined = _dense(np.where(missing, -1, combined * width + part))
    assert combined is not None
    for name in rule.unless:
        if name in table.codes:
            combined = np.where(table.codes[name] >= 0, -1, combined)
    return _dense(combined)


def _dense(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    valid = codes >= 0
    out = np.full(len(codes), -1, dtype=np.int64)
    out[valid] = np.unique(codes[valid], return_inverse=True)[1]
    return out


def _sort_rank(settings: MatchSettings, table: RecordTable) -> npt.NDArray[np.int64]:
    if not settings.sort_field or settings.sort_field not in table.codes:
        return np.zeros(table.size, dtype=np.int64)
    uniques = table.uniques[settings.sort_field]
    order = sorted(range(len(uniques)), key=uniques.__getitem__)
    rank = np.empty(len(uniques) + 1, dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(uniques))
    rank[-1] = len(uniques)
    return rank[table.codes[settings.sort_field]]


def candidate_pairs(
    settings: MatchSettings, table: RecordTable, *, chunk_size: int = 1_000_000
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Stream (left, right) row arrays, ``left < right``, each chunk at most ``chunk_size``.

    Every candidate pair appears once. Memory is bounded by the table plus one
    chunk: pairs are produced window offset by window offset, never collected
    in full.
    """
    for _, left, right in pairs_by_rule(settings, table, chunk_size=chunk_size):
        yield left, right


def pairs_by_rule(
    settings: MatchSettings,
    table: RecordTable,
    *,
    chunk_size: int = 1_000_000,
    exclude_earlier: bool = True,
) -> Iterator[tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Like :func:`candidate_pairs`, with the index of the rule that produced each chunk.

    With ``exclude_earlier=False`` every rule yields all of its pairs, even those
    an earlier rule produced too (what training per rule needs).
    """
    rank = _sort_rank(settings, table)
    # (codes, position in the rule's sorted order, window) of the rules already run:
    # a pair was produced by such a rule iff it shares the block and sits within the window
    earlier: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]] = []
    for index, rule in enumerate(settings.blocking):
        codes = rule_codes(rule, table)
        rows = np.flatnonzero(codes >= 0)
        order = rows[np.lexsort((rank[rows], codes[rows]))]
        blocks = codes[order]
        position = np.full(table.size, -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        for offset in range(1, rule.window):
            if offset >= len(order):
                break
            same = np.flatnonzero(blocks[:-offset] == blocks[offset:])
            if not len(same):
                break
            a, b = order[same], order[same + offset]
            left, right = np.minimum(a, b), np.maximum(a, b)
            for prior, place, window in earlier if exclude_earlier else ():
                pa = prior[left]
                seen = (pa >= 0) & (pa == prior[right])
                seen &= np.abs(place[left] - place[right]) < window
                left, right = left[~seen], right[~seen]
            for start in range(0, len(left), chunk_size):
                yield index, left[start : start + chunk_size], right[start : start + chunk_size]
        earlier.append((codes, position, rule.window))
