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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.forked import forked_map
from matching.settings import BlockingRule, MatchSettings
from matching.table import RecordTable
from matching.transforms import parse_key, transform

__all__ = ["candidate_pairs", "pairs_by_rule", "record_keys", "rule_codes", "transform"]


def record_keys(settings: MatchSettings, record: Mapping[str, str | None]) -> list[str]:
    """Blocking keys of one standardized record, in rule order, without duplicates."""
    keys: list[str] = []
    get = record.get
    for prefix, unless, parts_of in _compiled(settings):
        if unless and any(get(name) for name in unless):
            continue
        parts = []
        for name, steps in parts_of:
            part = transform(get(name), steps)
            if part is None:
                break
            parts.append(part)
        else:
            text = prefix + "|".join(parts)
            if text not in keys:
                keys.append(text)
    return keys


_Compiled = tuple[
    tuple[str, tuple[str, ...], tuple[tuple[str, tuple[tuple[str, int], ...]], ...]], ...
]
_COMPILED: dict[int, tuple[object, _Compiled]] = {}


def _compiled(settings: MatchSettings) -> _Compiled:
    """Each blocking rule's key prefix, ``unless`` fields and parsed parts, made once per
    settings' rules (a million records' keys asked for them a million times)."""
    held = _COMPILED.get(id(settings.blocking))
    if held is not None and held[0] is settings.blocking:
        return held[1]
    made = tuple(
        (f"{rule.name}:", tuple(rule.unless), tuple(parse_key(k) for k in rule.keys))
        for rule in settings.blocking
    )
    if len(_COMPILED) > 64:
        _COMPILED.clear()
    _COMPILED[id(settings.blocking)] = (settings.blocking, made)
    return made


def rule_codes(rule: BlockingRule, table: RecordTable) -> npt.NDArray[np.int64]:
    """Dense block id per row for ``rule`` (``-1`` where the record has no key), computed
    once per table (blocking and training both ask)."""
    return table.memo(_rule_key(rule), lambda: _rule_codes(rule, table))


def _rule_key(rule: BlockingRule) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return ("rule_codes", rule.keys, rule.unless)


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


PARALLEL_MIN_RECORDS = 50_000
"""Smaller tables block in this process: forking workers would cost more than it saves."""


def pairs_by_rule(
    settings: MatchSettings,
    table: RecordTable,
    *,
    chunk_size: int = 1_000_000,
    exclude_earlier: bool = True,
) -> Iterator[tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Like :func:`candidate_pairs`, with the index of the rule that produced each chunk.

    With ``exclude_earlier=False`` every rule yields all of its pairs, even those
    an earlier rule produced too (what training per rule needs). Rules are laid out
    (block codes, sorted order), then paired, each step one rule per task on forked
    workers (:func:`matching.forked.forked_map`) for big tables, in rule order.
    """
    processes = 1 if table.size < PARALLEL_MIN_RECORDS else None
    rules = list(settings.blocking)
    shared = (table, _sort_rank(settings, table))
    layouts = list(forked_map(_layout, shared, rules, processes=processes))
    for rule, layout in zip(rules, layouts, strict=True):
        table.memo(_rule_key(rule), lambda: layout.codes)  # noqa: B023 (called at once)
    job = (rules, layouts, exclude_earlier)
    pairs = forked_map(_rule_pairs, job, list(range(len(rules))), processes=processes)
    for index, (left, right) in enumerate(pairs):
        for start in range(0, len(left), chunk_size):
            yield index, left[start : start + chunk_size], right[start : start + chunk_size]


@dataclass(frozen=True, slots=True)
class _Layout:
    codes: npt.NDArray[np.int64]  # block per row, -1 without a key
    order: npt.NDArray[np.int64]  # rows with a key, by block then sort rank
    position: npt.NDArray[np.int64]  # each row's place in ``order`` (-1 without a key)


def _layout(shared: tuple[RecordTable, npt.NDArray[np.int64]], rule: BlockingRule) -> _Layout:
    table, rank = shared
    codes = rule_codes(rule, table)
    rows = np.flatnonzero(codes >= 0)
    order = rows[np.lexsort((rank[rows], codes[rows]))]
    position = np.full(table.size, -1, dtype=np.int64)
    position[order] = np.arange(len(order))
    return _Layout(codes, order, position)


def _rule_pairs(
    job: tuple[list[BlockingRule], list[_Layout], bool], index: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every pair of rule ``index`` (``left < right``) that no earlier rule produced: a pair
    was produced by an earlier rule iff it shares that rule's block within its window."""
    rules, layouts, exclude_earlier = job
    rule, layout = rules[index], layouts[index]
    earlier = list(zip(rules[:index], layouts[:index], strict=True)) if exclude_earlier else []
    blocks, order = layout.codes[layout.order], layout.order
    lefts, rights = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for offset in range(1, rule.window):
        if offset >= len(order):
            break
        same = np.flatnonzero(blocks[:-offset] == blocks[offset:])
        if not len(same):
            break
        a, b = order[same], order[same + offset]
        left, right = np.minimum(a, b), np.maximum(a, b)
        for prior_rule, prior in earlier:
            pa = prior.codes[left]
            seen = (pa >= 0) & (pa == prior.codes[right])
            seen &= np.abs(prior.position[left] - prior.position[right]) < prior_rule.window
            left, right = left[~seen], right[~seen]
        lefts.append(left)
        rights.append(right)
    return np.concatenate(lefts), np.concatenate(rights)
