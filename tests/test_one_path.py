"""One path: the same file through ``mdm dedupe`` and through ``mdm load`` into a fresh hub
gives the same clusters, decided by the same trained settings version."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from mdm.cli import app

GIVEN = ["anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo", "ida", "jon"]
FAMILY = ["smith", "jones", "brown", "taylor", "wilson", "evans", "thomas", "roberts"]
STREETS = ["kings road", "high street", "station road", "church lane", "mill road"]


def _people(path: Path, duplicates: float = 0.35) -> None:
    """Households of two or three (one family name and address, their own given names and
    birth dates), a share of the persons with a second record carrying a typo."""
    rng = random.Random(11)
    rows = []
    for h in range(160):
        family, street = rng.choice(FAMILY), f"{h + 1} {rng.choice(STREETS)}"
        for p in range(rng.choice((2, 3))):
            person = {
                "kind": "person",
                "first_name": rng.choice(GIVEN) + ("" if p == 0 else rng.choice("aeiou")),
                "last_name": family,
                "date_of_birth": f"{rng.randint(1940, 2010)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
                "address_line1": street,
                "postcode": f"SW{h % 40 + 1} {h % 9}AB",
                "country": "GB",
            }
            rows.append(person)
            if rng.random() < duplicates:
                name = person["first_name"]
                k = rng.randrange(1, len(name))
                rows.append({**person, "first_name": name[:k] + name[k] * 2 + name[k + 1 :]})
    rng.shuffle(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["source_id", *rows[0]])
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"source_id": f"P{i}", **row})


def _partition(groups: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for member, group in groups.items():
        by.setdefault(group, set()).add(member)
    return {frozenset(g) for g in by.values()}


def test_a_file_gives_the_same_clusters_through_dedupe_and_through_the_hub(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    path, out = tmp_path / "crm.csv", tmp_path / "clusters.csv"
    _people(path)

    deduped = cli_env.invoke(app, ["dedupe", str(path), str(out), "--no-progress"])
    loaded = cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "customer", "-q"])

    assert deduped.exit_code == 0, deduped.output
    assert loaded.exit_code == 0, loaded.output
    with out.open(encoding="utf-8") as handle:
        batch = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(handle)}
    with engine.connect() as conn:
        hub = dict(conn.execute(text("SELECT source_id, golden_id FROM source_record")).all())
        versions = {v for (v,) in conn.execute(text("SELECT version FROM match_settings"))}
    clusters = _partition(hub)
    assert clusters == _partition(batch)
    assert sum(len(c) == 2 for c in clusters) > 50  # the duplicates were found, not left apart
    # and the hub decided with the version batch dedupe trained on the same file
    batch_version = deduped.stderr.rsplit("settings ", 1)[1].strip()
    assert versions == {batch_version}


def test_a_first_file_without_duplicates_merges_no_household(
    cli_env: CliRunner, tmp_path: Path, engine: Engine
) -> None:
    # training on a file with no duplicates must not take households for matches
    path = tmp_path / "crm.csv"
    _people(path, duplicates=0.0)

    loaded = cli_env.invoke(app, ["load", str(path), "-s", "crm", "-e", "customer", "-q"])

    assert loaded.exit_code == 0, loaded.output
    with engine.connect() as conn:
        records = conn.execute(text("SELECT count(*) FROM source_record")).scalar_one()
        goldens = conn.execute(
            text("SELECT count(*) FROM golden_record WHERE merged_into IS NULL")
        ).scalar_one()
    assert records > 300 and goldens == records
