"""``mdm dedupe`` reads a file column by column, in worker processes, and means the same by it
as reading it row by row: every header rule of ``record_from_flat``, every row in order."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canonical.flat import flat_columns, record_from_flat
from matching.batch import standardize_columns, table_fields
from matching.settings import default_settings
from matching.table import RecordTable
from mdm.cli import dedupe_input
from mdm.cli.dedupe_input import InputError, read_table

HEADERS = [
    "id",
    "source",
    "name",
    "Company",
    "first_name",
    "Given Name",
    "surname",
    "dob",
    "email",
    "phone",
    "address_line1",
    "street",
    "street_number",
    "line1",
    "city",
    "suburb",
    "address_city",
    "postcode",
    "country",
    "tax_id",
    "extensions.Tier",
    "tiers",
]
CELLS = st.sampled_from(
    ["", " ", "Acme", " acme gmbh ", "Ann", "12", "Berlin", "DE", "x@y.example"]
)


def _by_rows(header: list[str], rows: list[list[str]]) -> dict[str, list[object]]:
    """What csv.DictReader and record_from_flat make of the rows, as path columns."""
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    text.seek(0)
    records = [record_from_flat(row) for row in csv.DictReader(text)]
    paths: dict[str, list[object]] = {}
    for i, record in enumerate(records):
        for key, value in record.items():
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for part, item in items:
                path = key if part is None else f"{key}.{part}"
                paths.setdefault(path, [None] * len(records))[i] = item
    return paths


def _present(columns: dict[str, list[object]]) -> dict[str, list[object]]:
    return {path: values for path, values in columns.items() if any(v is not None for v in values)}


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    data=st.data(),
)
def test_columns_mean_what_rows_mean_under_every_header_rule(header, data) -> None:
    width = len(header)
    rows = data.draw(
        st.lists(st.lists(CELLS, min_size=max(width - 1, 1), max_size=width + 1), max_size=5)
    )
    rows = [row for row in rows if any(cell for cell in row) or len(row) > 1]

    assert _present(flat_columns(header, rows)) == _present(_by_rows(header, rows))


def test_a_usual_header_is_read_column_by_column_and_an_ambiguous_one_row_by_row() -> None:
    usual = flat_columns(["id", "Company", "suburb", "dob"], [["1", " Acme ", "Paris", ""]])
    both = flat_columns(["name", "company"], [["", "Acme"], ["Beta", "B2"]])
    numbered = flat_columns(["street_number", "street"], [["12", "Main St"]])

    assert usual == {"name": ["Acme"], "address.city": ["Paris"], "date_of_birth": [None]}
    assert both == {"name": ["Acme", "Beta"]}  # a canonical column wins over its alias
    assert numbered == {"address.line1": ["12 Main St"]}


def test_concatenated_tables_equal_one_table_of_all_rows() -> None:
    rng = random.Random(5)
    columns = {
        name: [rng.choice(["a", "b", "c", None, "d"]) for _ in range(40)]
        for name in ("name", "city")
    }
    whole = RecordTable.from_columns(columns)
    parts = [
        RecordTable.from_columns({k: v[i : i + 13] for k, v in columns.items()})
        for i in range(0, 40, 13)
    ]

    joined = RecordTable.concat(parts)

    assert joined.size == 40
    for name in columns:
        assert joined.values(name) == whole.values(name) == columns[name]
        assert joined.uniques[name] == whole.uniques[name]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def _customer_rows(count: int) -> list[list[str]]:
    rng = random.Random(11)
    names = ["Acme GmbH", "Acme", "Globex Corp", "Initech Inc.", "Ann Smith", ""]
    return [
        [
            f"r{i}",
            rng.choice(names),
            rng.choice(["", "Ann", "Bob"]),
            rng.choice(["", "Smith", "Jones"]),
            rng.choice(["", "DE123456789", "123456789"]),
            rng.choice(["", "+49 30 1234567", "(415) 555-0199"]),
            rng.choice(["", "Berlin", "San Francisco"]),
            rng.choice(["", "DE", "US"]),
            rng.choice(["", "info@acme.example", "ann@gmail.com"]),
        ]
        for i in range(count)
    ]


HEADER = ["id", "name", "first_name", "last_name", "tax_id", "phone", "city", "country", "email"]


@pytest.mark.parametrize("processes", [1, 2])
def test_a_file_read_in_chunks_over_processes_equals_standardizing_each_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    rows = _customer_rows(95)
    path = _write(tmp_path / "in.csv", HEADER, rows)
    fields = table_fields(default_settings("customer"))
    monkeypatch.setattr(dedupe_input, "CHUNK_ROWS", 10)

    ids, table = read_table(path, "customer", fields, processes=processes)

    records = [record_from_flat(dict(zip(HEADER, row, strict=True))) for row in rows]
    expected = RecordTable.from_columns(standardize_columns("customer", records, fields))
    assert ids == [row[0] for row in rows]
    for name in expected.codes:
        assert table.values(name) == expected.values(name), name


def test_products_are_read_record_by_record_with_the_same_result(tmp_path: Path) -> None:
    header = ["id", "name", "sku", "category", "price"]
    rows = [["p1", "Widget 10 kg", "SK-001", "Tools", "9.99"], ["p2", "widget", "sk001", "", ""]]
    path = _write(tmp_path / "p.csv", header, rows)
    fields = table_fields(default_settings("product"))

    _, table = read_table(path, "product", fields)

    records = [record_from_flat(dict(zip(header, row, strict=True))) for row in rows]
    expected = RecordTable.from_columns(standardize_columns("product", records, fields))
    for name in expected.codes:
        assert table.values(name) == expected.values(name), name


def test_a_file_without_an_id_column_is_refused_and_an_empty_one_gives_an_empty_table(
    tmp_path: Path,
) -> None:
    fields = table_fields(default_settings("customer"))
    with pytest.raises(InputError, match="id column"):
        read_table(_write(tmp_path / "a.csv", ["name"], [["Acme"]]), "customer", fields)

    ids, table = read_table(_write(tmp_path / "b.csv", ["id", "name"], []), "customer", fields)

    assert ids == [] and table.size == 0


def test_the_id_column_may_be_called_rec_id_or_record_id(tmp_path: Path) -> None:
    fields = table_fields(default_settings("customer"))
    path = _write(tmp_path / "f.csv", ["Rec ID", "given_name", "surname"], [["r-1", "Ann", "Lee"]])

    ids, table = read_table(path, "customer", fields)

    assert ids == ["r-1"] and table.values("first_name") == ["ann"]


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_and_says_so(tmp_path: Path) -> None:
    fields = table_fields(default_settings("customer"))
    path = tmp_path / "latin.csv"
    path.write_bytes("id,name,city\n1,Müller GmbH,Köln\n".encode("cp1252"))
    warnings: list[str] = []

    ids, table = read_table(path, "customer", fields, warn=warnings.append)

    assert ids == ["1"] and table.values("name") == ["muller"]
    assert "not UTF-8" in warnings[0] and "cp1252" in warnings[0]
