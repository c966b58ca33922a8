"""The hub benchmark's loads: files per source through the real ``mdm load``."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hub_bench_store import DATA_DIR, ENTITY
from synth_accounts import COLUMNS, SOURCES

from matching.standardize import country_iso2

ROOT = Path(__file__).resolve().parent.parent

_ACTION = re.compile(r"^\s+(created|linked|updated|unchanged|stale|review|rejected)\s+(\d+)$")


_LOADED = re.compile(r"loaded (\d+) records from .* in ([\d.]+)s")


@dataclass
class LoadResult:
    records: int = 0
    wall_s: float = 0.0
    loader_s: float = 0.0
    actions: Counter[str] = field(default_factory=Counter)
    per_file: list[float] = field(default_factory=list)

    @property
    def wall_rate(self) -> float:
        return self.records / self.wall_s if self.wall_s else 0.0

    @property
    def loader_rate(self) -> float:
        return self.records / self.loader_s if self.loader_s else 0.0


def mdm(url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MDM_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-c", "from mdm.cli import main; main()", *argv],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def prepare(url: str) -> None:
    """Migrate and register every source the synthetic data uses (not timed)."""
    mdm(url, "migrate")
    registered = {line.split()[0] for line in mdm(url, "sources", "list").stdout.splitlines()}
    for source in SOURCES:
        if source not in registered:
            mdm(url, "sources", "add", source)


def write_by_source(rows: Iterable[dict[str, str]], stem: str) -> dict[str, Path]:
    """One CSV per source (``mdm load`` takes one source per file), in the rows' order."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    paths = {s: DATA_DIR / f"{stem}_{s}.csv" for s in SOURCES}
    handles = {s: p.open("w", newline="", encoding="utf-8") for s, p in paths.items()}
    writers = {s: csv.DictWriter(h, fieldnames=COLUMNS) for s, h in handles.items()}
    for writer in writers.values():
        writer.writeheader()
    try:
        for row in rows:
            writers[row["source"]].writerow(canonical_row(row))
    finally:
        for handle in handles.values():
            handle.close()
    return paths


def load(url: str, files: dict[str, Path]) -> LoadResult:
    """Run ``mdm load`` per source file; wall time counts each process from its start."""
    result = LoadResult()
    for source, path in files.items():
        started = time.perf_counter()
        out = mdm(url, "load", str(path), "--source", source, "--entity", ENTITY, "--quiet")
        result.wall_s += time.perf_counter() - started
        for line in out.stdout.splitlines():
            if m := _LOADED.search(line):
                result.records += int(m.group(1))
                result.loader_s += float(m.group(2))
                result.per_file.append(int(m.group(1)) / float(m.group(2)))
            elif m := _ACTION.match(line):
                result.actions[m.group(1)] += int(m.group(2))
        print(f"  {source}: {out.stdout.strip().splitlines()[0]}", flush=True)
    return result


def load_rows(result: LoadResult) -> list[tuple[str, str]]:
    return [
        (
            "mdm load records/s (wall, 4 processes / inside the loader)",
            f"{result.wall_rate:,.0f} / {result.loader_rate:,.0f} "
            f"({result.records:,} records in {result.wall_s:.1f} s)",
        ),
        (
            "loader records/s per file, in load order",
            " / ".join(f"{r:,.0f}" for r in result.per_file),
        ),
        ("load actions", ", ".join(f"{k} {v:,}" for k, v in sorted(result.actions.items()))),
    ]


def canonical_row(row: dict[str, str]) -> dict[str, str]:
    """The synthetic row as a valid canonical customer, the way a source adapter sends it:
    the country as ISO2, a US "(415) 555-0100" with its "+1", and what a phone typo
    put in that the model forbids (a letter, an inner "+") made a digit or dropped; the
    hub rejects all of these, and the noise matching sees stays."""
    out = dict(row)
    if out["country"]:
        out["country"] = country_iso2(out["country"]) or ""
    phone = re.sub(r"[^0-9 ()./+-]", "0", out["phone"])
    if "+" in phone[1:]:  # a typo swapped the "+" inwards
        phone = phone[0] + phone[1:].replace("+", "")
    if phone.startswith("("):
        phone = "+1 " + phone
    out["phone"] = phone
    return out
