"""Related is not the same: hard cases of different parties that share what relatives share.

Each case is decided twice with the shipped settings: by the hub's matcher
(find-matches / ingest) and by batch dedupe without training (the same
settings version), and must never be linked on either path. The true
duplicates beside them must still link.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from matching.batch import dedupe
from matching.decision import verdict
from matching.engine import ProbabilisticMatcher
from matching.hierarchy import reasons_of
from matching.port import Candidate
from matching.settings import default_settings

HOME = {"line1": "12 Kings Road", "city": "London", "postcode": "SW3 4HY", "country": "GB"}
HQ = {"line1": "1 Canada Square", "city": "London", "postcode": "E14 5AB", "country": "GB"}


def _person(first: str, last: str, dob: str | None, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": "person", "first_name": first, "last_name": last}
    if dob:
        record["date_of_birth"] = dob
    return {"address": HOME, **record, **extra}


def _firm(name: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "organization", "name": name, "address": HQ, **extra}


DIFFERENT = {
    "father and son of one name at one address, born 27 years apart": (
        _person("Daniel", "James", "1960-08-03"),
        _person("Daniel", "James", "1987-08-03"),
    ),
    "twins with different given names and personal emails": (
        _person("Ruby", "Walker", "1994-11-23", email="ruby.walker@gmail.com"),
        _person("Rose", "Walker", "1994-11-23", email="rose.walker@gmail.com"),
    ),
    "a father and his junior son with no birth dates": (
        _person("John", "Smith Sr.", None, phone="+44 20 7946 0202"),
        _person("John", "Smith Jr.", None, phone="+44 20 7946 0202"),
    ),
    "mother and daughter of one name": (
        _person("Mary", "Shaw", "1961-05-24", phone="+44 20 7946 0101"),
        _person("Mary", "Shaw", "1990-02-11", phone="+44 20 7946 0101"),
    ),
    "spouses sharing a landline": (
        _person("Peter", "Reid", "1970-04-28", phone="+44 20 7946 0555"),
        _person("Helen", "Reid", "1972-09-01", phone="+44 20 7946 0555"),
    ),
    "two firms behind one switchboard in one business centre": (
        _firm("Golden Nugget Hotel", phone="+44 20 7946 0000"),
        _firm("Lillie Langtrys", phone="+44 20 7946 0000"),
    ),
    "numbered entities of one group at their agent's address": (
        _firm("Harbour Property Holdings 3 Ltd", registration_number="12345673"),
        _firm("Harbour Property Holdings 4 Ltd", registration_number="12345674"),
    ),
    "two stores of one chain": (
        _firm("Northgate Bearings Store 12", phone="+44 20 7946 0012"),
        _firm("Northgate Bearings Store 13", phone="+44 20 7946 0013"),
    ),
}

SAME = {
    "a typo in the given name and the day and month transposed": (
        _person("Daniel", "James", "1987-08-03"),
        _person("Danile", "James", "1987-03-08"),
    ),
    "a generational suffix written two ways": (
        _person("John", "Smith III", "1970-04-28"),
        _person("John III", "Smith", "1970-04-28"),
    ),
    "a nickname": (
        _person("Robert", "Reid", "1970-04-28", email="rob.reid@example.org"),
        _person("Bob", "Reid", "1970-04-28", email="rob.reid@example.org"),
    ),
    "a renamed company with its tax id": (
        _firm("Acme Maschinenbau GmbH", tax_id="DE136695976"),
        _firm("Acme Industrietechnik GmbH", tax_id="DE136695976"),
    ),
}


def _hub(record: dict[str, Any], other: dict[str, Any]) -> Any:
    return ProbabilisticMatcher().decide("customer", record, [Candidate("g1", other, [other])])


def _batch_linked(record: dict[str, Any], other: dict[str, Any]) -> bool:
    result = dedupe([record, other], "customer", train_model=False)
    return bool(np.unique(result.labels).size == 1)


@pytest.mark.parametrize("case", sorted(DIFFERENT))
def test_related_parties_are_never_linked_on_either_path(case: str) -> None:
    record, other = DIFFERENT[case]

    decision = _hub(record, other)

    assert decision.action != "link", decision.explanation
    assert not _batch_linked(record, other)


def test_a_related_pair_says_why_it_was_not_linked() -> None:
    father, son = DIFFERENT["father and son of one name at one address, born 27 years apart"]
    twin, other = DIFFERENT["twins with different given names and personal emails"]

    doubted = _hub(father, son)
    sure = _hub(twin, other)

    # the chance of relatives keeps the father and son below the link threshold: two parties
    assert doubted.action == "new"
    assert doubted.explanation["reason"] == "related, not the same: date of birth different"
    assert doubted.explanation["comparisons"][-1]["comparison"] == "relatives"
    assert doubted.explanation["comparisons"][-1]["log2_weight"] < -5
    # what twins share outweighs it, so a steward decides, told why
    assert sure.action == "review"
    assert sure.explanation["related"] == ["given name different"]


@pytest.mark.parametrize("case", sorted(SAME))
def test_true_duplicates_still_link_on_both_paths(case: str) -> None:
    record, other = SAME[case]

    decision = _hub(record, other)

    assert decision.action == "link", decision.explanation
    assert _batch_linked(record, other)


def test_a_member_that_is_the_same_party_outranks_a_relative_in_one_golden_record() -> None:
    record = _person("Anna", "Gwatking", "1995-01-23", phone="+44 20 7946 0777")
    relative = _person(
        "Madalyn", "Gwatking", "1995-01-23", phone="+44 20 7946 0777", email="mg@example.org"
    )
    same = _person("Anna", "Gwatking", "1995-01-23")

    decision = ProbabilisticMatcher().decide(
        "customer", record, [Candidate("g1", same, [relative, same])]
    )

    assert decision.action == "link", decision.explanation
    assert decision.golden_id == "g1"


def test_relatives_the_model_doubts_are_two_parties_and_sure_ones_a_stewards_call() -> None:
    settings = default_settings("customer")

    assert verdict(settings, 0.7, related=True) == "new"
    assert verdict(settings, 0.7) == "review"
    assert verdict(settings, 0.999, related=True) == "review"
    assert verdict(settings, 0.999) == "link"


def _product(name: str, **extra: Any) -> dict[str, Any]:
    # one maker's line: everything but what tells the variants apart is shared
    line = {
        "manufacturer": "Northwind Bottling GmbH",
        "supplier": "Northwind Traders",
        "category": "Beverages",
        "list_price": "4.99",
        "currency": "EUR",
    }
    return {"name": name, "type": "physical", **line, **extra}


PRODUCT_VARIANTS = {
    "two sizes of one drink": (
        _product("Aqua Pura Sparkling Water 500 ml", sku="AP-SW-500", brand="Aqua Pura"),
        _product("Aqua Pura Sparkling Water 1 l", sku="AP-SW-1000", brand="Aqua Pura"),
    ),
    "two generations of one phone": (
        _product("Nimbus Phone 14 Pro 128 GB", brand="Nimbus"),
        _product("Nimbus Phone 15 Pro 128 GB", brand="Nimbus"),
    ),
    "consecutive skus of one line": (
        _product("Trailhead Tent Green", sku="TH-4410", brand="Trailhead"),
        _product("Trailhead Tent Olive", sku="TH-4411", brand="Trailhead"),
    ),
}

PRODUCT_SAME = {
    "a reformatted name and a sku without separators": (
        _product("Aqua Pura Sparkling Water 500 ml", sku="AP-SW-500", brand="Aqua Pura"),
        _product("AQUA PURA sparkling water, 500ml", sku="APSW500", brand="Aqua Pura"),
    ),
    "the same gtin": (
        _product("Trailhead Tent 2P", gtin="00012345678905"),
        _product("Trailhead 2 Person Tent", gtin="012345678905"),
    ),
}


def _product_linked(record: dict[str, Any], other: dict[str, Any]) -> tuple[str, bool]:
    decision = ProbabilisticMatcher().decide("product", record, [Candidate("p1", other, [other])])
    batch = dedupe([record, other], "product", train_model=False)
    return decision.action, bool(np.unique(batch.labels).size == 1)


@pytest.mark.parametrize("case", sorted(PRODUCT_VARIANTS))
def test_variants_of_one_product_are_different_products_on_both_paths(case: str) -> None:
    action, batch_linked = _product_linked(*PRODUCT_VARIANTS[case])

    assert action != "link"
    assert not batch_linked


@pytest.mark.parametrize("case", sorted(PRODUCT_SAME))
def test_one_product_across_sources_links_on_both_paths(case: str) -> None:
    action, batch_linked = _product_linked(*PRODUCT_SAME[case])

    assert action == "link"
    assert batch_linked


GROUP = {
    "numbered entities of one group at their agent's address": (
        DIFFERENT["numbered entities of one group at their agent's address"],
        ["the same name but for its numbers"],
    ),
    "two stores of one chain": (
        DIFFERENT["two stores of one chain"],
        ["the same name but for its numbers"],
    ),
    "legal entities of one group in two countries": (
        (
            _firm("Acme GmbH", tax_id="DE136695976", address={"country": "DE"}),
            _firm("Acme Ltd", tax_id="GB980780684"),
        ),
        ["one name, another tax id", "one name, another country", "one name, another legal form"],
    ),
}


@pytest.mark.parametrize("case", sorted(GROUP))
def test_organisations_of_one_group_are_named_related_parties_on_both_paths(case: str) -> None:
    (record, other), reasons = GROUP[case]

    decision = _hub(record, other)
    batch = dedupe([other, record], "customer", train_model=False)

    assert decision.action == "new"
    assert decision.explanation["related_parties"] == [
        {
            "golden_id": "g1",
            "reasons": reasons,
            "match_probability": pytest.approx(decision.score, abs=1e-6),
        }
    ]
    assert decision.explanation["reason"] == f"related, not the same: {'; '.join(reasons)}"
    assert [(r, e, reasons_of(bits)) for r, e, bits in batch.related_parties] == [(1, 0, reasons)]


def test_firms_sharing_only_a_switchboard_are_not_one_group() -> None:
    record, other = DIFFERENT["two firms behind one switchboard in one business centre"]

    assert "related_parties" not in _hub(record, other).explanation
    assert dedupe([other, record], "customer", train_model=False).related_parties == []
