"""The incremental ProbabilisticMatcher behind the hub's Matcher port."""

from __future__ import annotations

from typing import Any

import pytest

from matching.engine import ProbabilisticMatcher
from matching.port import Candidate, Matcher

ACME: dict[str, Any] = {
    "kind": "organization",
    "name": "Acme Systems Inc.",
    "tax_id": "12-3456789",
    "email": "ap@acme.com",
    "phone": "+1 512 555 0100",
    "website": "https://www.acme.com",
    "address": {"line1": "1 Main Street", "city": "Austin", "postcode": "78701", "country": "US"},
}


def _variant(**changes: Any) -> dict[str, Any]:
    record = {**ACME, **changes}
    return {k: v for k, v in record.items() if v is not None}


@pytest.fixture
def matcher() -> ProbabilisticMatcher:
    return ProbabilisticMatcher()


def test_it_satisfies_the_matcher_protocol(matcher: ProbabilisticMatcher) -> None:
    port: Matcher = matcher

    assert port.settings_version == "customer/3;product/3"


def test_a_variant_of_a_golden_record_links_with_an_explanation(
    matcher: ProbabilisticMatcher,
) -> None:
    incoming = _variant(
        name="ACME Systems Incorporated", tax_id=None, email=None, phone="(512) 555-0100"
    )
    other = _variant(
        name="Zenith Foods LLC",
        tax_id="98-7654321",
        email="x@zenith.com",
        phone="+1 212 555 0199",
        website="zenith.com",
        address={"line1": "9 Elm St", "city": "New York", "country": "US"},
    )

    decision = matcher.decide(
        "customer", incoming, [Candidate("g-zenith", other), Candidate("g-acme", {}, (ACME,))]
    )

    assert (decision.action, decision.golden_id) == ("link", "g-acme")
    assert decision.settings_version == "customer/3"
    assert decision.score is not None and decision.score >= 0.9
    explanation = decision.explanation
    assert explanation["compared_with"] == "members[0]"
    levels = {c["comparison"]: c["level"] for c in explanation["comparisons"]}
    assert levels["name"] == "name exact"
    assert levels["phone"] == "phone equal (E.164)"
    assert levels["tax_id"] == "tax id missing on either side"
    total = explanation["prior_log2_odds"] + sum(
        c["log2_weight"] for c in explanation["comparisons"]
    )
    assert explanation["match_weight"] == pytest.approx(total, abs=1e-9)
    assert [c["golden_id"] for c in explanation["candidates"]] == ["g-acme", "g-zenith"]


def test_a_strong_identifier_conflict_goes_to_review(matcher: ProbabilisticMatcher) -> None:
    incoming = _variant(tax_id="98-7654321")

    decision = matcher.decide("customer", incoming, [Candidate("g-acme", ACME)])

    assert (decision.action, decision.golden_id) == ("review", "g-acme")
    assert decision.explanation["reason"] == "strong identifier conflict with candidate: tax_id"


def test_a_record_that_would_join_two_conflicting_golden_records_goes_to_review(
    matcher: ProbabilisticMatcher,
) -> None:
    incoming = _variant(tax_id=None)
    twin = _variant(tax_id="98-7654321")

    decision = matcher.decide(
        "customer", incoming, [Candidate("g-1", ACME), Candidate("g-2", twin)]
    )

    assert decision.action == "review"
    assert set(decision.other_candidates) | {decision.golden_id} == {"g-1", "g-2"}
    assert "differs" in decision.explanation["reason"]


def test_an_unrelated_candidate_gives_new(matcher: ProbabilisticMatcher) -> None:
    other = {"name": "Zenith Foods", "address": {"city": "Paris", "country": "FR"}}

    decision = matcher.decide("customer", ACME, [Candidate("g-zenith", other)])

    assert (decision.action, decision.golden_id) == ("new", None)
    assert decision.score is not None and decision.score < 0.5


def test_no_candidates_gives_new(matcher: ProbabilisticMatcher) -> None:
    decision = matcher.decide("customer", ACME, [])

    assert (decision.action, decision.golden_id, decision.score) == ("new", None, None)


def test_keys_are_blocking_keys(matcher: ProbabilisticMatcher) -> None:
    keys = matcher.keys("customer", ACME)

    assert keys[:4] == [
        "tax_id:123456789",
        "domain:acme.com",
        "email:ap@acme.com",
        "phone:+15125550100",
    ]
    assert "name4:acme|US" in keys


def test_one_product_under_three_systems_codes_links(matcher: ProbabilisticMatcher) -> None:
    cpq = {
        "sku": "PRD-00042",
        "name": "Analytics Pro Seat",
        "family": "Analytics",
        "type": "subscription",
        "unit": "seat",
    }
    erp = {"sku": "42", "name": "ANALYTICS PRO - SEAT", "unit": "Seat", "type": "Subscription"}
    other = {"sku": "77", "name": "Storage Add-on 1TB", "unit": "tb"}

    decision = matcher.decide(
        "product", erp, [Candidate("p-other", other), Candidate("p-analytics", cpq)]
    )

    assert (decision.action, decision.golden_id) == ("link", "p-analytics")
    assert "sku:42" in matcher.keys("product", cpq)
    assert matcher.keys("product", cpq)[0] == matcher.keys("product", erp)[0]


def test_a_product_with_another_code_but_the_same_name_and_attributes_is_reviewed_or_linked(
    matcher: ProbabilisticMatcher,
) -> None:
    billing = {
        "sku": "ANL-PRO",
        "name": "Analytics Pro (Seat)",
        "family": "Analytics",
        "type": "subscription",
        "unit": "seat",
    }
    cpq = {
        "sku": "PRD-00042",
        "name": "Analytics Pro Seat",
        "family": "Analytics",
        "type": "subscription",
        "unit": "seat",
    }

    decision = matcher.decide("product", billing, [Candidate("p-analytics", cpq)])

    assert decision.golden_id == "p-analytics"
    assert decision.action in ("link", "review")
    assert {c["comparison"]: c["level"] for c in decision.explanation["comparisons"]}[
        "name"
    ] == "name exact"


def test_prices_keep_the_exact_natural_key_behaviour(matcher: ProbabilisticMatcher) -> None:
    price = {
        "product": "sku-42",
        "price_book": "list",
        "currency": "EUR",
        "billing_period": "month",
        "unit_amount": "10.00",
    }
    same = {**price, "unit_amount": "12.00"}

    decision = matcher.decide("price", price, [Candidate("pr-1", same)])

    assert matcher.keys("price", price) == ["price:SKU42|LIST|EUR|MONTH|ALWAYS"]
    assert (decision.action, decision.golden_id, decision.score) == ("link", "pr-1", 1.0)
    assert decision.settings_version == "exact-identifiers/1"


def test_steward_decisions_refine_the_model_and_change_the_version(
    matcher: ProbabilisticMatcher,
) -> None:
    before = matcher.settings_for("customer")
    same = _variant(name="Acme Systms", tax_id=None)
    different = _variant(name="Zenith Foods", tax_id="98-7654321", website="zenith.com",
                         email="ap@zenith.com")  # fmt: skip

    refined = matcher.learn("customer", [(ACME, same, True), (ACME, different, False)] * 20)

    assert refined.version.startswith("customer/3+trained.")
    assert refined.trained_on["labelled_pairs"] == 40
    assert matcher.settings_for("customer") is refined
    name_before = before.comparisons[0].levels
    name_after = refined.comparisons[0].levels
    fuzzy = [lv.label for lv in name_after].index("name Jaro-Winkler >= 0.95")
    assert name_after[fuzzy].m > name_before[fuzzy].m
    assert matcher.decide("customer", same, [Candidate("g", ACME)]).settings_version == (
        refined.version
    )


def test_a_stored_prepared_form_is_scored_instead_of_the_payload_unless_it_is_stale(
    matcher: ProbabilisticMatcher,
) -> None:
    """The hub hands back what prepare() made of each member; the matcher trusts it only
    when the standardizer that made it is the current one."""
    zenith = {"kind": "organization", "name": "Zenith Mining", "address": {"country": "AU"}}
    prepared = matcher.prepare("customer", ACME)
    assert prepared is not None
    stale = {**prepared, "_standardizer": "0"}

    fresh = matcher.decide("customer", ACME, [Candidate("g", zenith, [zenith], [prepared])])
    old = matcher.decide("customer", ACME, [Candidate("g", zenith, [zenith], [stale])])

    assert fresh.action == "link"
    assert old.action == "new"
    assert matcher.prepare("price", {"product": "p", "amount": 1}) is None


def test_deciding_a_batch_gives_each_record_the_decision_it_gets_alone(
    matcher: ProbabilisticMatcher,
) -> None:
    zenith = {"kind": "organization", "name": "Zenith Mining", "address": {"country": "AU"}}
    conflict = _variant(tax_id="98-7654321")
    requests = [
        (ACME, [Candidate("g-zenith", zenith, [zenith]), Candidate("g-acme", ACME, [ACME])]),
        (zenith, []),
        (conflict, [Candidate("g-acme", ACME, [ACME])]),
        (_variant(name="Acme Sytems"), [Candidate("g-acme", ACME, [ACME])]),
    ]

    batch = matcher.decide_many("customer", requests)

    alone = [matcher.decide("customer", record, found) for record, found in requests]
    assert [(d.action, d.golden_id, d.score) for d in batch] == [
        (d.action, d.golden_id, d.score) for d in alone
    ]
    assert [d.action for d in batch] == ["link", "new", "review", "link"]
