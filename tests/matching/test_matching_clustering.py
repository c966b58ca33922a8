"""Blocking keys, candidate pairs and non-chaining clustering."""

from __future__ import annotations

import numpy as np

from matching.blocking import candidate_pairs, record_keys, rule_codes
from matching.clustering import cluster_links, connected_components
from matching.settings import default_settings
from matching.standardize import standardize_customer
from matching.table import RecordTable


def _ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_connected_components_label_by_smallest_member() -> None:
    labels = connected_components(7, _ints(5, 1, 2, 3), _ints(6, 2, 3, 0))

    assert labels.tolist() == [0, 0, 0, 0, 4, 5, 5]


def test_links_chaining_two_different_tax_ids_are_refused() -> None:
    # 0 and 2 carry different tax ids; 1 (no tax id) links strongly to both.
    tax = np.array([10, -1, 20, -1], dtype=np.int32)
    left, right = _ints(0, 1, 2), _ints(1, 2, 3)
    strength = np.array([0.99, 0.95, 0.97])

    result = cluster_links(4, left, right, strength, {"tax_id": tax})

    assert result.labels.tolist() == [0, 0, 2, 2]
    assert result.refused.tolist() == [1]


def test_links_without_conflicts_are_all_followed() -> None:
    tax = np.array([10, -1, 10, -1], dtype=np.int32)

    result = cluster_links(4, _ints(0, 1, 2), _ints(1, 2, 3), np.ones(3), {"tax_id": tax})

    assert result.labels.tolist() == [0, 0, 0, 0]
    assert result.refused.tolist() == []


def test_record_keys_are_stable_strings() -> None:
    settings = default_settings("customer")
    record = standardize_customer(
        {
            "name": "ACME Systems, Inc.",
            "tax_id": "12-3456789",
            "email": "ap@acme.com",
            "phone": "(512) 555-0100",
            "address": {
                "line1": "1 Main Street",
                "city": "Austin",
                "postcode": "78701",
                "country": "USA",
            },
        }
    )

    keys = record_keys(settings, record)

    assert keys == [
        "tax_id:123456789",
        "domain:acme.com",
        "email:ap@acme.com",
        "phone:+15125550100",
        "name4:acme|US",
        "sorted:acme systems|US",
        "street_city:1 main st|austin",
        "postcode_name:78701|a",
        "name_city:acme|austin",
        "tail_city:stems|austin",
        "full_name:acme systems",
    ]


def test_name_only_records_get_name_keys_that_records_with_a_place_do_not() -> None:
    settings = default_settings("customer")

    keys = record_keys(settings, standardize_customer({"name": "Acme Systems Inc"}))

    assert keys == [
        "full_name:acme systems",
        "name_only4:acme",
        "name_only_tail:stems",
        "name_only_sorted:acme",
    ]


def test_candidate_pairs_are_unique_and_windowed() -> None:
    settings = default_settings("customer")
    rows = [{"name": f"acme {i:03d}", "country": "US", "domain": "acme.com"} for i in range(60)]
    table = RecordTable.from_rows(
        rows,
        (
            "name",
            "country",
            "domain",
            "tax_id",
            "email",
            "phone",
            "line1",
            "city",
            "postcode",
            "registration_number",
        ),
    )

    pairs = [
        (a, b)
        for left, right in candidate_pairs(settings, table, chunk_size=100)
        for a, b in zip(left.tolist(), right.tolist(), strict=True)
    ]

    assert len(pairs) == len(set(pairs))
    assert all(a < b for a, b in pairs)
    # one block of 60 with window 20: 19 + 18 + ... per record, not 60 * 59 / 2
    assert len(pairs) == sum(min(19, 59 - i) for i in range(60))


def test_rule_codes_join_parts_and_skip_missing_values() -> None:
    settings = default_settings("customer")
    rule = next(r for r in settings.blocking if r.name == "name4")
    table = RecordTable.from_rows(
        [
            {"name": "acme one", "country": "US"},
            {"name": "acme two", "country": "US"},
            {"name": "acme", "country": "DE"},
            {"name": "acme", "country": None},
        ],
        ("name", "country"),
    )

    codes = rule_codes(rule, table)

    assert codes[0] == codes[1] != codes[2]
    assert codes[3] == -1
