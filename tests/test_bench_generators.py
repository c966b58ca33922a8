"""The benchmark's data generators are deterministic and their truth is what they claim."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from benchmarks.generators import DATASETS  # noqa: E402
from benchmarks.generators.accounts import account_rows  # noqa: E402
from benchmarks.generators.common import typo, write_rows  # noqa: E402
from benchmarks.generators.companies import company_rows  # noqa: E402
from benchmarks.generators.persons import census_rows  # noqa: E402
from benchmarks.generators.products import product_rows, write_size  # noqa: E402

OWN = {
    "census": census_rows,
    "b2b_accounts": account_rows,
    "company_names": company_rows,
    "products": product_rows,
}


@pytest.mark.parametrize("name", sorted(OWN))
def test_same_seed_same_rows_and_another_seed_other_rows(name: str) -> None:
    make = OWN[name]
    first = list(make(600, 5))
    assert first == list(make(600, 5))
    assert first != list(make(600, 6))


@pytest.mark.parametrize("name", sorted(OWN))
def test_rows_have_the_declared_columns_unique_ids_and_clusters_of_two_to_four(name: str) -> None:
    rows = list(OWN[name](3000, 3))
    columns = DATASETS[name].columns
    assert len(rows) == 3000
    assert all(set(row) == {*columns, "entity_id"} for row in rows)
    assert len({row["id"] for row in rows}) == 3000
    sizes = Counter(Counter(row["entity_id"] for row in rows).values())
    assert max(sizes) <= 4
    duplicates = sum((size - 1) * count for size, count in sizes.items()) / len(rows)
    assert 0.1 <= duplicates <= 0.4
    # copies of one entity are written differently, not cloned
    by_entity: dict[str, list[tuple]] = {}
    for row in rows:
        by_entity.setdefault(row["entity_id"], []).append(
            tuple(v for k, v in row.items() if k not in ("id", "entity_id"))
        )
    clusters = [v for v in by_entity.values() if len(v) > 1]
    differing = sum(1 for v in clusters if len(set(v)) > 1)
    assert differing / len(clusters) > 0.6


def test_files_hold_no_truth_and_the_truth_file_pairs_every_id(tmp_path: Path) -> None:
    data = DATASETS["company_names"]
    path, truth = write_rows(tmp_path / "c.csv", data.columns, company_rows(200, 1))
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["id", "name"]
        ids = [row["id"] for row in reader]
    with truth.open(encoding="utf-8") as handle:
        assert [row["id"] for row in csv.DictReader(handle)] == ids


def test_typo_changes_one_thing_and_sizes_are_written_several_ways() -> None:
    import random

    rng = random.Random(0)
    changed = [typo(rng, "Robertson") for _ in range(200)]
    assert all(abs(len(c) - 9) <= 1 for c in changed)
    assert sum(c != "Robertson" for c in changed) > 150
    written = {write_size(rng, (500, "ml", 1), 1.0) for _ in range(200)}
    assert {"500 ml", "500ml", "0.5 l", "50 cl"} <= written
    packs = {write_size(rng, (250, "g", 2), 1.0) for _ in range(300)}
    assert "2 x 250 g" in packs and any(p.startswith("Pack of 2") for p in packs)


def test_sweep_scores_connected_components_at_each_threshold() -> None:
    import numpy as np
    from matching_benchmark import pairwise_scores, sweep

    truth = ["a", "a", "b", "b", "c"]
    left, right = np.array([0, 2, 1]), np.array([1, 3, 2])
    probability = np.array([0.99, 0.95, 0.5])
    curve = {r["threshold"]: r for r in sweep(truth, left, right, probability)}
    assert curve[0.9]["f1"] == pytest.approx(1.0)
    assert curve[0.3]["precision"] == pytest.approx(2 / 6)
    assert pairwise_scores(truth, ["x", "x", "y", "z", "w"])["recall"] == pytest.approx(0.5)
