"""The link graph clustered in Spark (components by min-label propagation, anti-chaining
inside each component on the executors) gives the local clustering, whatever the
partition count (issue 20).

Run in the Spark lane: ``pytest -m spark -p no:xdist tests/spark``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matching.batch import DedupeResult, cluster_kept
from matching.settings import default_settings
from matching.table import RecordTable

# pyarrow comes with the spark extra; without it the module is skipped, like the rest of the lane
pa = pytest.importorskip("pyarrow", reason="pip install -e '.[spark]'; pytest -m spark -p no:xdist")

pytestmark = pytest.mark.spark

SETTINGS = default_settings("customer")
ROWS = 300


def _graph() -> tuple[dict[str, list[str | None]], Any]:
    """Records with a few validated tax ids and registration numbers, and kept pairs
    that chain records of different ids together (chains, stars, ties of strength)."""
    rng = np.random.default_rng(3)
    tax = rng.integers(0, 12, ROWS)
    has_tax = rng.random(ROWS) < 0.3
    reg = rng.integers(0, 5, ROWS)
    has_reg = rng.random(ROWS) < 0.1
    columns: dict[str, list[str | None]] = {
        "tax_id": [f"T{t}" if h else None for t, h in zip(tax, has_tax, strict=True)],
        "tax_id_valid": ["1" if h and t % 3 else None for t, h in zip(tax, has_tax, strict=True)],
        "registration_number": [f"R{x}" if h else None for x, h in zip(reg, has_reg, strict=True)],
    }
    left = rng.integers(0, ROWS, 420)
    right = rng.integers(0, ROWS, 420)
    chain = np.arange(0, 60)  # one long chain: the propagation needs several rounds
    left, right = np.concatenate([left, chain]), np.concatenate([right, chain + 1])
    keep = left != right
    left, right = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
    pairs = np.unique(np.stack([left, right]), axis=1)
    n = pairs.shape[1]
    probability = np.round(rng.uniform(0.3, 1.0, n), 2)  # rounded: links of equal strength
    veto = rng.random(n) < 0.05
    link = (probability >= SETTINGS.thresholds.link) & ~veto
    scored = pa.table(
        {
            "l": pairs[0],
            "r": pairs[1],
            "probability": probability,
            "veto": veto,
            "link": link,
            "kept": probability >= SETTINGS.thresholds.review,
        }
    )
    return columns, scored


def _local(columns: dict[str, list[str | None]], scored: Any) -> DedupeResult:
    kept = scored.filter(scored.column("kept"))
    table = RecordTable.from_columns(columns, size=ROWS)
    pairs = tuple(kept.column(n).to_numpy() for n in ("l", "r", "probability", "veto"))
    return cluster_kept(SETTINGS, table, pairs, kept.num_rows)  # type: ignore[arg-type]


def _spark(
    spark: Any, tmp: str, partitions: int, local_links: int, links_per_group: int = 10
) -> DedupeResult:
    from matching.spark.clusters import as_arrays, cluster_kept_pairs

    columns, scored = _graph()
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    std = spark.createDataFrame(pa.table({"row": np.arange(ROWS), **columns}))
    frame = spark.createDataFrame(scored).repartition(partitions)
    linked = cluster_kept_pairs(
        spark,
        std,
        frame,
        SETTINGS,
        work=f"{tmp}/{partitions}-{links_per_group}",
        local_links=local_links,
        links_per_group=links_per_group,
    )
    assert linked.where == ("spark" if local_links == 0 else "driver")
    return as_arrays(linked, ROWS, SETTINGS)


def _same(got: DedupeResult, want: DedupeResult) -> None:
    assert got.labels.tolist() == want.labels.tolist()
    assert got.partner.tolist() == want.partner.tolist()
    assert np.array_equal(got.match_probability, want.match_probability, equal_nan=True)
    assert got.review == want.review
    assert got.stats["refused_links"] == want.stats["refused_links"]


@pytest.fixture(scope="module")
def expected() -> DedupeResult:
    result = _local(*_graph())
    assert result.stats["refused_links"] > 0  # anti-chaining has work to do
    assert len(set(result.labels.tolist())) < ROWS - 50  # and there are real clusters
    return result


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_components_in_spark_give_the_local_clusters_whatever_the_partitions(
    spark: Any, tmp_path: Any, expected: DedupeResult, partitions: int
) -> None:
    _same(_spark(spark, str(tmp_path), partitions, local_links=0), expected)


@pytest.mark.parametrize("links_per_group", [1, 10**9])
def test_components_clustered_in_groups_give_the_local_clusters_whatever_the_grouping(
    spark: Any, tmp_path: Any, expected: DedupeResult, links_per_group: int
) -> None:
    """One component a group at most (a group for every link) or all in one group: the
    groups are a hash of the component's label, and no pair joins two components."""
    _same(_spark(spark, str(tmp_path), 3, 0, links_per_group), expected)


def test_a_link_graph_under_the_threshold_is_clustered_on_the_driver_alike(
    spark: Any, tmp_path: Any, expected: DedupeResult
) -> None:
    _same(_spark(spark, str(tmp_path), 3, local_links=10**9), expected)
