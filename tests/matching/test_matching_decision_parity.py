"""One decision function: the hub's incremental decision and batch dedupe agree on every pair.

Both paths get the same generated records and the same (trained) settings
version; for each candidate pair batch dedupe scores, the hub deciding the
one record against the other as its only candidate must give the same match
probability and the same outcome (link, review or new).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from matching.batch import dedupe_table, standardize_columns, table_fields, train
from matching.engine import ProbabilisticMatcher
from matching.port import Candidate
from matching.settings import MatchSettings, default_settings
from matching.table import RecordTable

FIRST = ["anna", "robert", "bob", "maria", "john", "li", "fatima", "peter", "olga", "sam"]
LAST = ["smith", "garcia", "okafor", "schmidt", "nguyen", "kowalski", "dubois", "rossi"]
CORE = ["acme", "globex", "initech", "umbrella", "hooli", "vandelay", "stark", "wayne"]
WORD = ["systems", "trading", "logistics", "foods", "labs", "partners"]
FORMS = ["Inc", "Corp.", "GmbH", "Ltd", "LLC", ""]
CITIES = [("Austin", "US", "787"), ("Berlin", "DE", "101"), ("Leeds", "GB", "LS1 ")]


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _person(rng: random.Random, n: int) -> dict[str, Any]:
    city, country, _ = rng.choice(CITIES)
    year, month, day = rng.randrange(40, 99), rng.randrange(1, 13), rng.randrange(1, 28)
    return {
        "kind": "person",
        "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST),
        "date_of_birth": f"19{year}-{month:02d}-{day:02d}",
        "email": f"p{n}@gmail.com",
        "address": {"line1": f"{n} High Street", "city": city, "country": country},
    }


def _organization(rng: random.Random, n: int) -> dict[str, Any]:
    city, country, post = rng.choice(CITIES)
    return {
        "name": f"{rng.choice(CORE)} {rng.choice(WORD)} {rng.choice(FORMS)}".strip(),
        "tax_id": f"{rng.randrange(10**8, 10**9)}" if rng.random() < 0.6 else None,
        "phone": f"+1 512 555 {n:04d}",
        "website": f"https://www.org{n}.example" if rng.random() < 0.5 else None,
        "address": {
            "line1": f"{n} Main St",
            "city": city,
            "postcode": f"{post}{n % 100:02d}",
            "country": country,
        },
    }


def _noisy(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    copy = {k: v for k, v in record.items() if v is not None}
    for key in ("first_name", "last_name", "name"):
        if key in copy and rng.random() < 0.4:
            copy[key] = _typo(copy[key], rng)
    if rng.random() < 0.3:
        drop = rng.choice([k for k in copy if k not in ("kind", "name", "first_name")])
        copy.pop(drop)
    return copy


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    rng = random.Random(14)
    out: list[dict[str, Any]] = []
    for n in range(160):
        base = _person(rng, n) if n % 2 else _organization(rng, n)
        out.append(base)
        for _ in range(rng.choice([0, 1, 1, 2])):
            out.append(_noisy(base, rng))
    return out


def _table(records: list[dict[str, Any]], settings: MatchSettings) -> RecordTable:
    return RecordTable.from_columns(
        standardize_columns("customer", records, table_fields(settings))
    )


@pytest.fixture(scope="module")
def trained(records: list[dict[str, Any]]) -> MatchSettings:
    base = default_settings("customer")
    return train(base, _table(records, base))


def _batch_outcomes(
    records: list[dict[str, Any]], settings: MatchSettings
) -> dict[tuple[int, int], tuple[float, str]]:
    scored: dict[tuple[int, int], float] = {}

    def sink(pairs: list[dict[str, Any]]) -> None:
        for pair in pairs:
            scored[(pair["left"], pair["right"])] = pair["match_probability"]

    result = dedupe_table(
        _table(records, settings),
        settings,
        train_model=False,
        pair_sink=sink,
        pair_min_probability=0.0,
    )
    review = {(a, b) for a, b, _ in result.review}
    labels = result.labels.tolist()
    outcomes = {}
    for (a, b), probability in scored.items():
        if (a, b) in review:
            outcome = "review"
        elif labels[a] == labels[b] and probability >= settings.thresholds.link:
            outcome = "link"
        else:
            outcome = "new"
        outcomes[(a, b)] = (probability, outcome)
    return outcomes


@pytest.mark.parametrize("which", ["trained", "shipped"])
def test_hub_and_batch_give_every_pair_the_same_probability_and_outcome(
    records: list[dict[str, Any]], trained: MatchSettings, which: str
) -> None:
    settings = trained if which == "trained" else default_settings("customer")
    batch = _batch_outcomes(records, settings)
    matcher = ProbabilisticMatcher({"customer": settings})

    hub = {}
    for a, b in batch:
        other = records[b]
        decision = matcher.decide("customer", records[a], [Candidate("g", other, members=[other])])
        hub[(a, b)] = (decision.score, decision.action)

    assert len(batch) >= 200
    assert {"link", "new"} <= {outcome for _, outcome in batch.values()}
    for pair, (probability, outcome) in batch.items():
        assert hub[pair][0] == pytest.approx(probability, rel=1e-9, abs=1e-12), pair
        assert hub[pair][1] == outcome, pair
