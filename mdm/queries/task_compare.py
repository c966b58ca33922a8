"""What a steward task compares: the incoming record against the candidate's member it
was scored against, attribute by attribute, personal data masked.

A review task names the incoming source record (``record_id``) and the candidate
golden record. The matcher scored the record against each of the candidate's member
records and kept the best, so the side shown is the candidate's member that scores
best against the incoming record now (the only member, when there is one), or the
candidate's golden attributes when it has no members left. Tasks without an incoming
record (rule breaches) compare the two golden records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from canonical.privacy import MASK, PERSONAL_ATTRIBUTES
from matching.port import Candidate, Matcher
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import GoldenState
from mdm.queries.compare import compare_records

__all__ = ["Side", "compared_sides", "comparison"]

ChosenBy = Literal["incoming record", "only member", "best score", "first member", "golden record"]


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison: a source record (``source`` set) or a golden record's
    surviving attributes. ``raw`` is the payload the matcher scores, ``attributes`` the
    payload as survivorship reads it (references resolved to golden ids)."""

    golden_id: str
    chosen_by: ChosenBy
    attributes: Mapping[str, Any]
    raw: Mapping[str, Any]
    source: str | None = None
    source_id: str | None = None
    record_version: int | None = None

    def view(self, masked: frozenset[str]) -> dict[str, Any]:
        attrs = {
            k: (MASK if k in masked and v is not None else v) for k, v in self.attributes.items()
        }
        return {
            "golden_id": self.golden_id,
            "chosen_by": self.chosen_by,
            "source": self.source,
            "source_id": self.source_id,
            "record_version": self.record_version,
            "attributes": attrs,
        }


def _member_side(book: GoldenBook, g: GoldenState, rec: Mapping[str, Any], by: ChosenBy) -> Side:
    member = book.member_view(g, rec)
    return Side(
        golden_id=g.id,
        chosen_by=by,
        attributes=dict(member.payload),
        raw=rec["payload"],
        source=rec["source"],
        source_id=rec["source_id"],
        record_version=rec["version"],
    )


def _golden(g: GoldenState) -> Side:
    return Side(g.id, "golden record", dict(g.attributes), dict(g.attributes))


def _incoming(book: GoldenBook, record_id: str) -> Side | None:
    for g in book.goldens.values():
        rec = g.members.get(record_id)
        if rec is not None:
            return _member_side(book, g, rec, "incoming record")
    return None


def _best_member(
    book: GoldenBook, g: GoldenState, incoming: Side, record_id: str, matcher: Matcher | None
) -> Side:
    members = [rec for rid, rec in sorted(g.members.items()) if rid != record_id]
    if not members:
        return _golden(g)
    if len(members) == 1 or matcher is None:
        return _member_side(
            book, g, members[0], "only member" if len(members) == 1 else "first member"
        )
    requests = [
        (incoming.raw, [Candidate(g.id, g.attributes, [rec["payload"]], [rec.get("match_std")])])
        for rec in members
    ]
    scores = [d.score or 0.0 for d in matcher.decide_many(g.entity_type, requests)]
    best = max(range(len(members)), key=lambda i: (scores[i], -i))
    return _member_side(book, g, members[best], "best score")


def compared_sides(
    book: GoldenBook, task: Mapping[str, Any], matcher: Matcher | None
) -> tuple[Side | None, Side | None]:
    """The left and right side of ``task``'s comparison (None where a side is gone);
    ``book`` holds both golden records of the task, loaded."""
    left_g = book.goldens.get(task["golden_id"] or "")
    right_g = book.goldens.get(task["candidate_golden_id"] or "")
    incoming = _incoming(book, task["record_id"]) if task["record_id"] else None
    if incoming is None:
        return (_golden(left_g) if left_g else None, _golden(right_g) if right_g else None)
    if right_g is None:
        return incoming, None
    return incoming, _best_member(book, right_g, incoming, task["record_id"], matcher)


def comparison(
    entity_type: str,
    sides: tuple[Side | None, Side | None],
    matcher: Matcher | None,
    *,
    conflicts: Mapping[str, Any],
    mask: bool,
) -> dict[str, Any]:
    """``compared`` (both sides) and ``comparison`` (the rows; see
    :func:`~mdm.queries.compare.compare_records`), the personal attributes of both sides
    masked when ``mask`` (the caller decides: a person's task, a key without pii). The
    rows are computed on the real values, so masking changes no status."""
    left, right = sides
    masked = frozenset(PERSONAL_ATTRIBUTES.get(entity_type, ())) if mask else frozenset()
    rows: list[dict[str, Any]] = []
    if left is not None and right is not None:
        prepare = matcher.prepare if matcher is not None else (lambda _e, _r: None)
        rows = compare_records(
            entity_type, left.attributes, right.attributes, prepare, conflicts=set(conflicts)
        )
        for row in rows:
            if row["attribute"].split(".", 1)[0] in masked:
                row["left"] = MASK if row["left"] is not None else None
                row["right"] = MASK if row["right"] is not None else None
    return {
        "compared": {
            "left": left.view(masked) if left else None,
            "right": right.view(masked) if right else None,
        },
        "comparison": rows,
    }
