"""Candidate lookup: from a record's keys to the golden records worth scoring.

The matcher names the keys a record is found under; the persisted key index
(``match_key``) says which golden records carry each key. A common key (a
frequent name prefix in one country) can be carried by thousands of golden
records at scale, so the lookup reads at most :data:`PER_KEY_LIMIT` golden ids
per key, and each record is scored against at most :data:`MAX_CANDIDATES`
golden records: those sharing the rarest keys with it (see :func:`rank`). A
true duplicate shares several keys (name variants, domain, phone, street), some
of them carried by few other records, so it ranks first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from canonical.states import GoldenStatus
from matching.port import Candidate
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook

__all__ = [
    "MAX_CANDIDATES",
    "PER_KEY_LIMIT",
    "build",
    "lookup",
    "rank",
    "read_pool",
    "shared_keys",
    "shortlist",
]

MAX_CANDIDATES = 10
PER_KEY_LIMIT = 100


def lookup(uow: UnitOfWork, entity_type: str, keys: Iterable[str]) -> dict[str, set[str]]:
    """Golden ids per key, at most :data:`PER_KEY_LIMIT` of them per key."""
    return uow.keys.golden_ids(entity_type, list(keys), per_key=PER_KEY_LIMIT)


def read_pool(uow: UnitOfWork, golden_ids: Iterable[str]) -> dict[str, Candidate]:
    """Active golden records as the matcher sees them: attributes, member payloads and
    their prepared forms only (no lineage, no lock), for scoring many candidates of
    which few are chosen."""
    ids = set(golden_ids)
    attributes = uow.goldens.active_attributes(ids)
    members = uow.records.payloads(list(attributes))
    return {
        gid: Candidate(
            gid,
            attrs,
            [payload for payload, _ in members.get(gid, ())],
            [prepared for _, prepared in members.get(gid, ())],
        )
        for gid, attrs in attributes.items()
    }


def rank(keys: Sequence[str], key_index: Mapping[str, set[str]]) -> list[tuple[str, float]]:
    """Golden ids sharing any of ``keys``, most telling first, with their score.

    A shared key counts ``1 / (golden records carrying it)``: a phone number or a
    tax id only one golden record carries counts 1, a name prefix a hundred carry
    counts 0.01. So a candidate sharing one rare key outranks one sharing two
    common ones, and the many records behind a common key fall to the back.
    """
    score: dict[str, float] = {}
    for key in keys:
        ids = key_index.get(key, ())
        if not ids:
            continue
        weight = 1.0 / len(ids)
        for gid in ids:
            score[gid] = score.get(gid, 0.0) + weight
    return sorted(score.items(), key=lambda item: (-item[1], item[0]))


def shortlist(keys_by_item: Iterable[Sequence[str]], key_index: Mapping[str, set[str]]) -> set[str]:
    """The golden ids to score for a batch: each item's best :data:`MAX_CANDIDATES`."""
    wanted: set[str] = set()
    for keys in keys_by_item:
        wanted.update(gid for gid, _ in rank(keys, key_index)[:MAX_CANDIDATES])
    return wanted


def build(
    book: GoldenBook | None,
    pool: Mapping[str, Candidate],
    keys: Sequence[str],
    key_index: Mapping[str, set[str]],
) -> list[Candidate]:
    """The active candidates for one record, best first: golden records this unit of
    work holds (created or changed by earlier items) as they stand now, others as
    :func:`read_pool` read them into ``pool``."""
    out: list[Candidate] = []
    for gid, _ in rank(keys, key_index):
        g = book.goldens.get(gid) if book is not None else None
        if g is not None:
            if g.status == GoldenStatus.ACTIVE:
                members = list(g.members.values())
                out.append(
                    Candidate(
                        gid,
                        g.attributes,
                        [m["payload"] for m in members],
                        [m.get("match_std") for m in members],
                    )
                )
        elif gid in pool:
            out.append(pool[gid])
        if len(out) == MAX_CANDIDATES:
            break
    return out


def shared_keys(
    keys: Sequence[str], key_index: Mapping[str, set[str]], golden_id: str
) -> list[str]:
    """Which of ``keys`` found ``golden_id`` (part of a decision's explanation)."""
    return [k for k in keys if golden_id in key_index.get(k, ())]
