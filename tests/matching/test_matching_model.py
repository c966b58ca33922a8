"""Settings as data, Fellegi-Sunter scoring, explanations and EM training."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from matching.compare import comparison_vectors
from matching.scoring import explain, log2_prior_odds, score_pairs
from matching.settings import (
    SettingsError,
    default_settings,
    dump_settings,
    load_settings,
    parse_settings,
)
from matching.table import RecordTable
from matching.training import (
    PatternCounts,
    estimate_m_em,
    refine_with_labels,
    with_estimates,
)


def _doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "entity_type": "thing",
        "version": "thing/1",
        "prior": 0.3,
        "thresholds": {"link": 0.9, "review": 0.5},
        "comparisons": [
            {
                "name": f"f{i}",
                "fields": [f"f{i}"],
                "levels": [
                    {"label": "missing", "kind": "null"},
                    {"label": "equal", "kind": "exact", "m": 0.5, "u": 0.5},
                    {"label": "other", "kind": "else", "m": 0.5, "u": 0.5},
                ],
            }
            for i in range(3)
        ],
        "blocking": [{"name": "f0", "keys": ["f0"]}],
    }
    doc.update(overrides)
    return doc


def test_shipped_settings_round_trip_through_json() -> None:
    for entity, version in (("customer", "customer/3"), ("product", "product/3")):
        settings = default_settings(entity)

        again = load_settings(dump_settings(settings))

        assert again == settings
        assert again.version == version


def test_invalid_settings_name_the_offending_path() -> None:
    bad = _doc()
    bad["comparisons"][1]["levels"][1] = {
        "label": "x",
        "kind": "fuzzy",
        "m": 0.5,
        "u": 0.1,
        "scorer": "soundex",
        "threshold": 0.9,
    }

    with pytest.raises(SettingsError, match=r"comparisons\[1\]\.levels\[1\]\.scorer"):
        parse_settings(bad)
    with pytest.raises(SettingsError, match=r"thresholds: review must not exceed link"):
        parse_settings(_doc(thresholds={"link": 0.5, "review": 0.9}))
    with pytest.raises(SettingsError, match=r"blocking\[0\]\.keys\[0\]: unknown transform"):
        parse_settings(_doc(blocking=[{"keys": ["f0:soundex"]}]))
    with pytest.raises(SettingsError, match=r"\$: not JSON"):
        load_settings("{")


def test_training_changes_the_version_but_keeps_the_base() -> None:
    settings = parse_settings(_doc())

    trained = with_estimates(settings, prior=0.2, trained_on={"records": 10})

    assert trained.version.startswith("thing/1+trained.")
    assert trained.trained_on == {"records": 10}
    assert load_settings(dump_settings(trained)) == trained


def test_explanation_parts_sum_to_the_match_weight() -> None:
    settings = default_settings("customer")
    rows = [
        {
            "name": "acme",
            "legal_form": "INC",
            "domain": "acme.com",
            "city": "austin",
            "country": "US",
            "phone": "+15125550100",
        },
        {
            "name": "acme",
            "legal_form": "LLC",
            "domain": "acme.com",
            "city": "austin",
            "country": "US",
            "phone": "+15125550101",
        },
    ]
    table = RecordTable.from_rows(rows, settings.fields)
    left, right = np.array([0]), np.array([1])
    gammas = comparison_vectors(settings, table, left, right)

    scored = score_pairs(settings, gammas, table, left)
    detail = explain(settings, gammas[0], scored.parts[0], scored.related[0])

    total = detail["prior_log2_odds"] + sum(c["log2_weight"] for c in detail["comparisons"])
    assert detail["match_weight"] == pytest.approx(total, abs=1e-9)
    assert detail["match_weight"] == pytest.approx(float(scored.weight[0]), abs=1e-4)
    assert detail["prior_log2_odds"] == pytest.approx(log2_prior_odds(settings.prior), abs=1e-6)
    levels = {c["comparison"]: c["level"] for c in detail["comparisons"]}
    assert levels["name"] == "name exact"
    assert levels["legal_form"] == "legal form different"
    # consecutive numbers are neighbours (one switchboard), not a typo
    assert levels["phone"] == "phone different"
    assert levels["tax_id"] == "tax id missing on either side"
    assert detail["settings_version"] == "customer/3"


def test_fuzzy_levels_apply_in_order() -> None:
    settings = default_settings("customer")
    names = ["acme systems", "acme systems", "acme systms", "systems acme", "acme sys",
             "systems", "zenith labs"]  # fmt: skip
    table = RecordTable.from_rows([{"name": n} for n in names], settings.fields)
    left = np.zeros(len(names) - 1, dtype=np.int64)
    right = np.arange(1, len(names), dtype=np.int64)

    gammas = comparison_vectors(settings, table, left, right)

    labels = [settings.comparisons[0].levels[g].label for g in gammas[:, 0]]
    assert labels == [
        "name exact",
        "name Jaro-Winkler >= 0.95",
        "name token-sort >= 0.95 (words swapped)",
        "name Jaro-Winkler >= 0.88",
        "name token-set >= 0.90 (one name inside the other)",
        "name different",
    ]


def test_term_frequency_adjustment_lowers_weight_of_common_values() -> None:
    settings = default_settings("customer")
    city = [c.name for c in settings.comparisons].index("address")
    exact = next(lv for lv in settings.comparisons[city].levels if lv.label.startswith("same city"))
    rows = [{"city": "london"}] * 200 + [{"city": "leeds"}, {"city": "leeds"}]
    rows += [{"city": f"town{i}"} for i in range(798)]
    table = RecordTable.from_rows(rows, settings.fields)
    left, right = np.array([0, 200]), np.array([1, 201])
    gammas = comparison_vectors(settings, table, left, right)
    tf = {"city": table.frequencies("city")}

    scored = score_pairs(settings, gammas, table, left, tf)

    base = np.log2(exact.m / exact.u)
    assert scored.parts[0, city] == pytest.approx(base + np.log2(exact.u / 0.2))
    assert scored.parts[1, city] == pytest.approx(base + min(0.0, np.log2(exact.u / 0.002)))


def test_em_recovers_m_and_prior_of_a_generated_population() -> None:
    settings = parse_settings(_doc())
    true_m, true_u, true_prior = [0.9, 0.8, 0.95], [0.1, 0.2, 0.05], 0.3
    rng = np.random.default_rng(42)
    n = 200_000
    is_match = rng.random(n) < true_prior
    agree_p = np.where(is_match[:, None], true_m, true_u)
    gammas = np.where(rng.random((n, 3)) < agree_p, 1, 2).astype(np.int8)
    counts = PatternCounts.empty(3)
    counts.add(gammas[: n // 2])
    counts.add(gammas[n // 2 :])
    u = [np.array([1.0, p, 1 - p]) for p in true_u]

    result = estimate_m_em(settings, counts, u)

    assert result.converged
    assert counts.total == n
    assert result.prior == pytest.approx(true_prior, abs=0.01)
    for col, m in enumerate(true_m):
        assert result.m[col][1] == pytest.approx(m, abs=0.01)


def test_labelled_pairs_refine_m_and_u() -> None:
    settings = parse_settings(_doc())
    gammas = np.array([[1, 1, 1]] * 100 + [[2, 2, 2]] * 100, dtype=np.int8)
    labels = [True] * 100 + [False] * 100

    refined = refine_with_labels(settings, gammas, labels, strength=100)

    level = refined.comparisons[0].levels
    assert (level[1].m, level[2].m) == pytest.approx((0.75, 0.25))
    assert (level[1].u, level[2].u) == pytest.approx((0.25, 0.75))
    assert refined.trained_on["labelled_pairs"] == 200


def test_settings_json_files_are_valid_json_documents() -> None:
    text = dump_settings(default_settings("product"))

    assert json.loads(text)["entity_type"] == "product"
