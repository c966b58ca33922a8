"""Batch steps split over forked workers give exactly what one process gives."""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import pytest

from matching import batch, blocking, forked
from matching.batch import dedupe_table, standardize_columns, table_fields
from matching.blocking import rule_codes
from matching.candidates import block_table, compare_all
from matching.forked import forked_map
from matching.settings import default_settings
from matching.table import RecordTable

pytestmark = pytest.mark.skipif(
    not forked.can_fork() or (os.cpu_count() or 1) < 2, reason="needs fork and two cores"
)


def _records(entities: int = 150) -> list[dict[str, Any]]:
    rng = random.Random(3)
    out = []
    for n in range(entities):
        name = f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella'])} {n:03d} GmbH"
        for copy in range(3):
            typo = name if copy == 0 else name.replace("e", "a", 1)
            out.append(
                {
                    "kind": "organization",
                    "name": typo,
                    "phone": f"+49 30 {1000000 + n}" if copy != 2 else None,
                    "address": {"city": "Berlin", "country": "DE"},
                }
            )
    return out


def _table() -> RecordTable:
    settings = default_settings("customer")
    fields = table_fields(settings)
    return RecordTable.from_columns(standardize_columns("customer", _records(), fields))


def _square(shared: int, item: int) -> tuple[int, int]:
    return item, item * item + shared


def test_forked_map_keeps_the_order_and_sees_the_shared_state() -> None:
    assert list(forked_map(_square, 10, list(range(25)), processes=2)) == [
        (i, i * i + 10) for i in range(25)
    ]


def test_comparing_chunks_on_workers_equals_comparing_them_here() -> None:
    settings, table = default_settings("customer"), _table()
    candidates = block_table(settings, table)
    assert len(candidates) > 300  # enough pairs for many chunks

    here = compare_all(settings, table, candidates, chunk_size=50, processes=1)
    forked_out = compare_all(settings, _table(), candidates, chunk_size=50, processes=2)

    assert np.array_equal(here, forked_out)


def test_blocking_rules_laid_out_and_paired_on_workers_give_the_same_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = default_settings("customer")
    here = block_table(settings, _table())
    monkeypatch.setattr(blocking, "PARALLEL_MIN_RECORDS", 0)
    forked_table = _table()
    on_workers = block_table(settings, forked_table)

    assert len(here) > 300
    for name in ("left", "right", "rule"):
        assert np.array_equal(getattr(here, name), getattr(on_workers, name)), name
    # the parent keeps each rule's block codes for training, though workers computed them
    assert np.array_equal(
        rule_codes(settings.blocking[0], forked_table), rule_codes(settings.blocking[0], _table())
    )


def test_dedupe_scored_on_workers_links_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = default_settings("customer")
    monkeypatch.setattr(batch, "SCORE_CHUNK_PAIRS", 40)
    pairs: list[list[dict[str, Any]]] = [[], []]
    forked_result = dedupe_table(_table(), settings, pair_sink=pairs[0].extend)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    here = dedupe_table(_table(), settings, pair_sink=pairs[1].extend)

    assert np.array_equal(forked_result.labels, here.labels)
    assert np.allclose(forked_result.match_probability, here.match_probability, equal_nan=True)
    assert pairs[0] == pairs[1] and pairs[0]  # the same explained pairs, in the same order
    assert len(set(here.labels.tolist())) < len(here.labels)  # it did link records
