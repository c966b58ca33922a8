"""``mdm dedupe`` end to end on a small CSV, and the pure batch function behind it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from canonical.flat import record_from_flat
from matching.batch import dedupe
from mdm.cli.dedupe import register

HEADER = [
    "id",
    "source",
    "kind",
    "name",
    "tax_id",
    "email",
    "phone",
    "website",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
]
ROWS = [
    [
        "c1",
        "crm",
        "organization",
        "Acme Systems Inc.",
        "",
        "ap@acme.com",
        "+1 512 555 0100",
        "acme.com",
        "1 Main Street",
        "",
        "Austin",
        "TX",
        "78701",
        "US",
    ],
    [
        "b1",
        "billing",
        "organization",
        "ACME SYSTEMS INCORPORATED",
        "12-3456789",
        "",
        "",
        "https://www.acme.com/",
        "1 Main St.",
        "",
        "Austin",
        "",
        "78701",
        "USA",
    ],
    [
        "e1",
        "erp",
        "organization",
        "Acme Systms",
        "123456789",
        "billing@acme.com",
        "(512) 555-0100",
        "",
        "",
        "",
        "Austin",
        "",
        "",
        "United States",
    ],
    [
        "c2",
        "crm",
        "organization",
        "Zenith Foods GmbH",
        "DE136695976",
        "info@zenith.de",
        "030 1234567",
        "zenith.de",
        "Hauptstrasse 1",
        "",
        "Berlin",
        "",
        "10115",
        "DE",
    ],
    [
        "s2",
        "support",
        "organization",
        "Zenith Foods",
        "",
        "info@zenith.de",
        "+49 30 1234567",
        "",
        "Hauptstraße 1",
        "",
        "Berlin",
        "",
        "10115",
        "Germany",
    ],
    [
        "c3",
        "crm",
        "organization",
        "Borealis Media Ltd",
        "",
        "hello@gmail.com",
        "",
        "",
        "4 High Road",
        "",
        "Leeds",
        "",
        "LS1 4AP",
        "GB",
    ],
]


def _write_input(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:  # a second command keeps typer in multi-command mode
        """Unused."""

    return app


def test_dedupe_writes_one_cluster_per_record_and_scored_pairs(tmp_path: Path) -> None:
    source = _write_input(tmp_path / "in.csv")
    output, pairs = tmp_path / "out.csv", tmp_path / "pairs.csv"

    result = CliRunner().invoke(
        _app(),
        [
            "dedupe",
            str(source),
            str(output),
            "--entity",
            "customer",
            "--pairs",
            str(pairs),
            "--no-train",
            "--no-progress",
        ],
    )

    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["record_id"], r["cluster_id"]) for r in rows] == [
        ("c1", "c1"),
        ("b1", "c1"),
        ("e1", "c1"),
        ("c2", "c2"),
        ("s2", "c2"),
        ("c3", "c3"),
    ]
    assert rows[5]["match_probability"] == ""
    assert all(float(r["match_probability"]) >= 0.9 for r in rows[:5])
    with pairs.open(encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    assert {frozenset((p["left_id"], p["right_id"])) for p in scored} >= {
        frozenset(("c1", "b1")),
        frozenset(("c2", "s2")),
    }
    first = scored[0]
    parts = json.loads(first["explanation"])
    assert first["settings_version"] == "customer/3"
    assert {p["comparison"] for p in parts} >= {"name", "tax_id", "domain", "phone"}
    assert "6 records -> 3 clusters" in result.output


def test_dedupe_rejects_an_unknown_entity_and_writes_nothing(tmp_path: Path) -> None:
    source = _write_input(tmp_path / "in.csv")
    output = tmp_path / "out.csv"

    result = CliRunner().invoke(
        _app(), ["dedupe", str(source), str(output), "--entity", "invoice", "--no-progress"]
    )

    assert result.exit_code == 2
    assert not output.exists()


def test_batch_dedupe_trains_and_keeps_the_settings_version() -> None:
    records = [record_from_flat(dict(zip(HEADER, row, strict=True))) for row in ROWS] * 1

    result = dedupe(records, "customer", train_model=True)

    assert result.settings.version.startswith("customer/3+trained.")
    assert result.labels.tolist()[:3] == [0, 0, 0]
    assert result.labels.tolist()[5] == 5
    assert result.stats["candidate_pairs"] >= 4


def test_record_from_flat_nests_the_address_and_drops_empty_cells() -> None:
    record = record_from_flat(
        {
            "id": "x",
            "source": "crm",
            "name": "Acme",
            "tax_id": "",
            "city": "Austin",
            "country": "US",
        }
    )

    assert record == {"name": "Acme", "address": {"city": "Austin", "country": "US"}}
