"""Survivorship rules as data: each rule picks the value a steward would expect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from canonical.survivorship import Member, SurvivorshipRules, rules_for, survive


def at(day: int) -> datetime:
    return datetime(2026, 5, day, tzinfo=UTC)


def rules(spec: dict) -> SurvivorshipRules:
    return SurvivorshipRules.from_dict(
        {"entity_type": "customer", "version": 1, "default": spec, "attributes": {}}
    )


def test_source_priority_prefers_the_system_of_record_even_when_older() -> None:
    members = [
        Member("crm", "1", 3, {"name": "Acme (CRM)"}, at(9)),
        Member("erp", "E", 1, {"name": "Acme Inc"}, at(1)),
    ]

    attrs, lineage = survive(
        rules({"rule": "source_priority", "priority": ["erp", "crm"]}), members
    )

    assert attrs == {"name": "Acme Inc"}
    assert lineage["name"] == {
        "source": "erp",
        "source_id": "E",
        "source_version": 1,
        "rule": "source_priority",
        "at": "2026-05-01T00:00:00+00:00",
        "candidates": 2,
        "alternatives": [{"source": "crm", "source_id": "1", "value": "Acme (CRM)"}],
    }


def test_source_priority_falls_back_to_a_lower_source_when_the_top_one_has_no_value() -> None:
    members = [
        Member("crm", "1", 1, {"name": "Acme", "owner": "dana"}, at(2)),
        Member("erp", "E", 1, {"name": "Acme Inc", "owner": None}, at(1)),
    ]

    attrs, lineage = survive(
        rules({"rule": "source_priority", "priority": ["erp", "crm"]}), members
    )

    assert attrs["owner"] == "dana"
    assert lineage["owner"]["source"] == "crm"


def test_most_recent_uses_the_source_timestamp() -> None:
    members = [
        Member("crm", "1", 1, {"phone": "+1 1"}, at(5)),
        Member("billing", "b", 1, {"phone": "+1 2"}, at(7)),
        Member("support", "s", 1, {"phone": "+1 3"}, at(6)),
    ]

    attrs, _ = survive(rules({"rule": "most_recent"}), members)

    assert attrs == {"phone": "+1 2"}


def test_most_complete_prefers_the_fuller_address() -> None:
    members = [
        Member("crm", "1", 1, {"address": {"city": "Berlin", "country": "DE"}}, at(9)),
        Member(
            "erp",
            "E",
            1,
            {
                "address": {
                    "line1": "Unter den Linden 1",
                    "city": "Berlin",
                    "postcode": "10117",
                    "country": "DE",
                }
            },
            at(1),
        ),
    ]

    attrs, _ = survive(rules({"rule": "most_complete"}), members)

    assert attrs["address"]["postcode"] == "10117"


def test_most_frequent_takes_the_majority_and_breaks_ties_by_recency() -> None:
    majority = [
        Member("a", "1", 1, {"industry": "Retail"}, at(1)),
        Member("b", "2", 1, {"industry": "Retail"}, at(2)),
        Member("c", "3", 1, {"industry": "Energy"}, at(9)),
    ]
    tie = [
        Member("a", "1", 1, {"industry": "Retail"}, at(1)),
        Member("c", "3", 1, {"industry": "Energy"}, at(9)),
    ]

    assert survive(rules({"rule": "most_frequent"}), majority)[0] == {"industry": "Retail"}
    assert survive(rules({"rule": "most_frequent"}), tie)[0] == {"industry": "Energy"}


def test_record_metadata_never_survives_into_the_golden_record() -> None:
    members = [
        Member(
            "crm",
            "1",
            1,
            {"name": "Acme", "extensions": {"x": 1}, "source_updated_at": "2026-01-01T00:00:00Z"},
            at(1),
        )
    ]

    attrs, _ = survive(rules_for("customer"), members)

    assert attrs == {"name": "Acme"}


def test_unknown_rule_is_refused_when_rules_are_loaded() -> None:
    with pytest.raises(ValueError, match="unknown survivorship rule 'loudest'"):
        rules({"rule": "loudest"})


def test_default_rules_follow_the_systems_of_record() -> None:
    customer = rules_for("customer")

    assert customer.rule_for("tax_id")["priority"][0] == "erp"
    assert customer.rule_for("payment_terms")["priority"][0] == "erp"
    assert customer.rule_for("address")["priority"][0] == "erp"
    assert customer.rule_for("owner")["priority"][0] == "crm"
    assert customer.rule_for("segment")["priority"][0] == "crm"
    assert customer.rule_for("industry")["priority"][0] == "crm"
    assert customer.rule_for("currency")["priority"][0] == "billing"
    assert rules_for("price").default["priority"][0] == "cpq"
