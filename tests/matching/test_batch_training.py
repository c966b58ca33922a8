"""Training that finds persons, not households or look-alikes, on data it was not written for."""

from __future__ import annotations

import random

import numpy as np

from matching.batch import dedupe, standardize_columns, table_fields
from matching.batch_training import train
from matching.settings import default_settings
from matching.table import RecordTable
from matching.training import EMResult, PatternCounts, combine_sessions, estimate_priors

GIVEN = ["anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo", "ida", "jon"]
FAMILY = ["smith", "jones", "brown", "taylor", "wilson", "evans", "thomas", "roberts"]


def _households(count: int, seed: int) -> list[dict[str, object]]:
    """Households of three at one address sharing a family name, each person with a second,
    slightly misspelt record: the classic trap where EM finds 'same household'."""
    rng = random.Random(seed)
    records: list[dict[str, object]] = []
    for h in range(count):
        family = rng.choice(FAMILY)
        address = {"line1": f"{h + 1} Kings Road", "postcode": f"SW{h % 90 + 10}", "country": "GB"}
        for _ in range(3):
            person = {
                "kind": "person",
                "first_name": rng.choice(GIVEN),
                "last_name": family,
                "date_of_birth": f"{rng.randint(1940, 2010)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
                "address": address,
            }
            records.append(person)
            twin = dict(person)
            twin["first_name"] = str(person["first_name"]).upper()
            records.append(twin)
    return records


def test_a_rule_that_forces_no_field_trains_nothing() -> None:
    settings = default_settings("customer")
    records = _households(150, seed=3)
    table = RecordTable.from_columns(
        standardize_columns("customer", records, table_fields(settings))
    )

    trained = train(settings, table)

    rules = {s["rule"] for s in trained.trained_on["em_sessions"]}
    # given_family blocks on two letters of each name: pairs that merely look alike
    assert "given_family" not in rules
    assert rules  # the rules that force a field still train


def test_a_few_pairs_nudge_the_shipped_m_instead_of_replacing_it() -> None:
    settings = default_settings("customer")
    col = [c.name for c in settings.comparisons].index("date_of_birth")
    start = np.array([lv.m for lv in settings.comparisons[col].levels])
    odd = [np.array([lv.m for lv in c.levels]) for c in settings.comparisons]
    odd[col] = np.full(len(start), 1.0 / len(start))
    active = [True] * len(settings.comparisons)

    few = combine_sessions(settings, [(EMResult(odd, 0.5, 3, True), active, 20.0)])
    many = combine_sessions(settings, [(EMResult(odd, 0.5, 3, True), active, 200_000.0)])

    assert abs(few[col][1] - start[1]) < abs(few[col][1] - odd[col][1])
    assert np.allclose(many[col], odd[col], atol=1e-3)


def test_household_members_are_not_merged_by_batch_dedupe() -> None:
    records = _households(150, seed=5)

    result = dedupe(records, "customer")

    labels = result.labels.tolist()
    # each person's two records are one cluster; the three persons of a household are three
    for start in range(0, len(records), 2):
        assert labels[start] == labels[start + 1]
    household_clusters = [len({labels[h * 6 + k] for k in (0, 2, 4)}) for h in range(150)]
    assert sum(household_clusters) >= 0.98 * 3 * 150


def test_three_kinds_of_pair_recover_the_shares_of_matches_and_relatives() -> None:
    rng = np.random.default_rng(4)
    # level 0 = agree, 1 = differ; comparison 0 is shared by relatives (a family name)
    m = [np.array([0.95, 0.05]), np.array([0.9, 0.1]), np.array([0.85, 0.15])]
    u = [np.array([0.02, 0.98]), np.array([0.01, 0.99]), np.array([0.03, 0.97])]
    shares = {"match": 0.2, "relatives": 0.3, "strangers": 0.5}

    def levels(kind: str, c: int) -> np.ndarray:
        return m[c] if kind == "match" or (kind == "relatives" and c == 0) else u[c]

    rows = [
        [int(rng.random() > levels(kind, c)[0]) for c in range(3)]
        for kind, share in shares.items()
        for _ in range(int(share * 40_000))
    ]
    counts = PatternCounts.empty(3)
    counts.add(np.array(rows, dtype=np.int8))

    match, related = estimate_priors(counts, m, u, [True, False, False])

    assert abs(match - 0.2) < 0.02
    assert abs(related - 0.3) < 0.02
