"""Relay pages of golden records: keyset cursors, page-size guard, fuzzy search.

Cursors are opaque (base64url) but stable: a plain page is ordered by golden
id and its cursor is the last id seen, so records created or changed between
two calls never shift a page. A search page is ordered by score, then id, and
its cursor carries both; the score of a record depends only on its name, so
the order is as stable as the data.

Search standardizes the query and every candidate name with the matching
package's standardizers (legal forms removed, abbreviations expanded,
transliterated and folded) and scores them with rapidfuzz ``WRatio``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from matching.standardize import person_name, split_legal_form, standardize_product
from mdm.db.read import ReadModel
from mdm.graphql.errors import bad_input
from mdm.graphql.loaders import Loaders
from mdm.graphql.views import Batch, view_from_row
from mdm.queries import cursors

__all__ = [
    "MAX_PAGE_SIZE",
    "SEARCH_CUTOFF",
    "Edge",
    "Page",
    "check_first",
    "decode_cursor",
    "encode_cursor",
    "golden_page",
]

MAX_PAGE_SIZE = 100
SEARCH_CUTOFF = 70.0


@dataclass(frozen=True, slots=True)
class Edge:
    cursor: str
    node: Any
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Page:
    edges: list[Edge]
    has_next_page: bool
    has_previous_page: bool
    count: Any = None  # a callable giving the total, run only if asked for


def check_first(first: int, *, maximum: int = MAX_PAGE_SIZE, argument: str = "first") -> int:
    if not 1 <= first <= maximum:
        raise bad_input(f"'{argument}' must be between 1 and {maximum}; got {first}", argument)
    return first


encode_cursor = cursors.encode


def decode_cursor(cursor: str, kind: str, parts: int) -> list[str]:
    """The parts of a cursor made by :func:`encode_cursor` for ``kind``."""
    found = cursors.decode(cursor, kind, parts)
    if found is None:
        raise bad_input("'after' is not a cursor of this list", "after")
    return found


def golden_page(
    loaders: Loaders,
    entity_type: str,
    filters: Mapping[str, Any],
    *,
    search: str | None,
    first: int,
    after: str | None,
) -> Page:
    """One page of active golden records of ``entity_type``."""
    check_first(first)
    reads = loaders.reads
    if search is not None and search.strip():
        return _search_page(loaders, entity_type, filters, search, first, after)
    after_id = decode_cursor(after, "id", 1)[0] if after else None
    rows = reads.page_rows(entity_type, filters, after_id=after_id, limit=first + 1)
    batch = Batch()
    golden = loaders.golden(None)
    edges = []
    for row in rows[:first]:
        view = view_from_row(row, batch)
        golden.prime(view.id, view)
        edges.append(Edge(encode_cursor("id", view.id), view))
    return Page(edges, len(rows) > first, after is not None, _counter(reads, entity_type, filters))


def _counter(reads: ReadModel, entity_type: str, filters: Mapping[str, Any]) -> Any:
    return lambda: len(reads.search_rows(entity_type, filters, ()))


_NAMES = {"customer": ("name", "first_name", "last_name"), "product": ("name",)}


def _standard_name(entity_type: str, values: Sequence[Any]) -> str | None:
    if entity_type == "product":
        return standardize_product({"name": values[0]})["name"]
    name, first, last = values
    if name:
        return split_legal_form(name)[0]
    return person_name(" ".join(p for p in (first, last) if p)) if first or last else None


def _search_page(
    loaders: Loaders,
    entity_type: str,
    filters: Mapping[str, Any],
    search: str,
    first: int,
    after: str | None,
) -> Page:
    names = _NAMES.get(entity_type, ("name",))
    query = _standard_name(entity_type, [search, None, None][: len(names)])
    if not query:
        return Page([], False, after is not None, lambda: 0)
    rows = loaders.reads.search_rows(entity_type, filters, names)
    choices = {r[0]: s for r in rows if (s := _standard_name(entity_type, r[1:]))}
    found = process.extract(
        query, choices, scorer=fuzz.WRatio, score_cutoff=SEARCH_CUTOFF, limit=None
    )
    # Equal WRatio scores (a name contained in a longer one scores high) are
    # ordered by plain similarity, so the closest spelling comes first.
    ranked = sorted(
        (-round(score, 4), -round(fuzz.ratio(query, choices[gid]), 4), gid)
        for _, score, gid in found
    )
    if after:
        neg, neg_plain, gid = decode_cursor(after, "score", 3)
        key = (float(neg), float(neg_plain), gid)
        ranked = [r for r in ranked if r > key]
    chosen = ranked[: first + 1]
    views = loaders.golden(None).load_map(gid for _, _, gid in chosen[:first])
    edges = [
        Edge(encode_cursor("score", repr(neg), repr(plain), gid), views[gid], -neg)
        for neg, plain, gid in chosen[:first]
        if views[gid] is not None
    ]
    total = len(found)
    return Page(edges, len(chosen) > first, after is not None, lambda: total)
