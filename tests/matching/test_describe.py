"""matching.describe: the settings as a steward reads them, weights as splink shows them."""

from __future__ import annotations

import json
import math

from matching.describe import describe_settings, level_weight
from matching.settings import default_settings, parse_settings

SETTINGS = {
    "entity_type": "customer",
    "version": "customer/test",
    "prior": 0.2,
    "thresholds": {"link": 0.9, "review": 0.6},
    "blocking": [{"name": "email", "keys": ["email"], "window": 7}],
    "strong_identifiers": ["tax_id"],
    "comparisons": [
        {
            "name": "email",
            "fields": ["email"],
            "description": "the email address",
            "levels": [
                {"label": "email missing", "kind": "null"},
                {"label": "email equal", "kind": "exact", "m": 0.8, "u": 0.01},
                {
                    "label": "email close",
                    "kind": "fuzzy",
                    "scorer": "jaro_winkler",
                    "threshold": 0.9,
                    "m": 0.15,
                    "u": 0.03,
                },
                {"label": "email differs", "kind": "else", "m": 0.05, "u": 0.96},
            ],
        }
    ],
    "trained_on": {"records": 1200, "labelled_pairs": 40, "term_frequencies": {"email": {}}},
}


def test_each_level_shows_m_u_and_its_weight_log2_m_over_u() -> None:
    described = describe_settings(parse_settings(SETTINGS))

    levels = described["comparisons"][0]["levels"]
    assert [lv["label"] for lv in levels] == [
        "email missing",
        "email equal",
        "email close",
        "email differs",
    ]
    assert levels[0]["weight"] == 0.0
    assert levels[1]["weight"] == math.log2(0.8 / 0.01)
    assert levels[1]["bayes_factor"] == 0.8 / 0.01
    assert levels[2] | {"weight": None, "bayes_factor": None} == {
        "label": "email close",
        "kind": "fuzzy",
        "field": None,
        "scorer": "jaro_winkler",
        "threshold": 0.9,
        "tf_adjustment": False,
        "m": 0.15,
        "u": 0.03,
        "weight": None,
        "bayes_factor": None,
    }
    assert levels[3]["weight"] < 0


def test_thresholds_prior_blocking_and_training_counts_are_shown() -> None:
    described = describe_settings(parse_settings(SETTINGS))

    assert described["version"] == "customer/test"
    assert described["thresholds"] == {"link": 0.9, "review": 0.6}
    assert described["prior"] == 0.2
    assert described["prior_weight"] == math.log2(0.2 / 0.8)
    assert described["blocking"] == [{"name": "email", "keys": ["email"], "window": 7}]
    assert described["strong_identifiers"] == ["tax_id"]
    # counts only: the term-frequency tables are data, not something to read
    assert described["trained_on"] == {"records": 1200, "labelled_pairs": 40}


def test_the_shipped_settings_describe_to_finite_json() -> None:
    for entity_type in ("customer", "product"):
        settings = default_settings(entity_type)
        described = describe_settings(settings)

        text = json.dumps(described, allow_nan=False)
        assert json.loads(text) == described
        weights = [lv["weight"] for c in described["comparisons"] for lv in c["levels"]]
        levels = [lv for c in settings.comparisons for lv in c.levels]
        assert weights == [level_weight(lv) for lv in levels]
