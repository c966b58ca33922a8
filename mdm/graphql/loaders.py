"""Per-request DataLoaders, synchronous, batched by sibling group.

Why synchronous: the schema executes with graphql-core's sync executor on one
worker thread per request, inside one read transaction (the same path as the
REST reads). An async DataLoader would need the event loop to batch and a
thread hop per batch; here a loader batches by *sibling group* instead. Every
view remembers the :class:`~mdm.graphql.views.Batch` it was fetched with, and
the first time any member of a batch asks for a relation, the loader fetches
that relation for every member of the batch that has not got it yet, in one
statement. Results are cached for the rest of the request, so every later
sibling is answered from memory. The number of statements therefore follows
the shape of the query (one per relation per level), never the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from canonical.states import GoldenStatus
from mdm.db.read import ReadModel, Row
from mdm.db.read.rows import survivor_id
from mdm.graphql.views import Batch, GoldenView, view_from_row
from mdm.queries.transactional import facts_of_groups

__all__ = ["MAX_ANCESTORS", "BatchLoader", "Loaders"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_ANCESTORS = 50


class BatchLoader(Generic[K, V]):
    """Caches ``fetch`` results by key; loads a key together with its siblings.

    ``fetch`` receives distinct keys not yet cached and returns what it found;
    keys it does not return get ``missing``. ``batches`` counts fetches.
    """

    def __init__(self, fetch: Callable[[list[K]], Mapping[K, V]], missing: V) -> None:
        self._fetch = fetch
        self._missing = missing
        self._cache: dict[K, V] = {}
        self.batches = 0

    def load(self, key: K, siblings: Iterable[K] = ()) -> V:
        try:
            return self._cache[key]
        except KeyError:
            pass
        self._load([key, *siblings])
        return self._cache[key]

    def load_map(self, keys: Iterable[K]) -> dict[K, V]:
        keys = list(keys)
        self._load(keys)
        return {k: self._cache[k] for k in keys}

    def prime(self, key: K, value: V) -> None:
        self._cache.setdefault(key, value)

    def clear(self) -> list[V]:
        """Forget every loaded value; returns them."""
        values = list(self._cache.values())
        self._cache.clear()
        return values

    def _load(self, keys: list[K]) -> None:
        wanted = list(dict.fromkeys(k for k in keys if k is not None and k not in self._cache))
        if not wanted:
            return
        self.batches += 1
        found = self._fetch(wanted)
        for k in wanted:
            self._cache[k] = found.get(k, self._missing)


class Loaders:
    """Every loader one request uses, created on first use."""

    def __init__(self, reads: ReadModel, *, today: date) -> None:
        self.reads = reads
        self.today = today
        self._loaders: dict[tuple[Any, ...], BatchLoader[Any, Any]] = {}

    def close(self) -> None:
        """Drop everything the request loaded. Views and their batches, and loaders and
        the closures that fetch for them, refer to each other in cycles that only the
        cyclic garbage collector would free, in a pause on some later request; emptied
        here, they go as soon as the request's result is built."""
        for loader in self._loaders.values():
            for value in loader.clear():
                for view in value if isinstance(value, list) else (value,):
                    if isinstance(view, GoldenView):
                        view.batch.views.clear()
        self._loaders.clear()

    def _get(
        self, key: tuple[Any, ...], fetch: Callable[[list[Any]], Mapping[Any, Any]], missing: Any
    ) -> BatchLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = BatchLoader(fetch, missing)
        return loader

    # -- golden records --------------------------------------------------------

    def golden(self, as_of: datetime | None) -> BatchLoader[str, GoldenView | None]:
        """Golden views by id; now, a merged-away id answers with its survivor."""
        if as_of is None:
            return self._get(("golden",), self._fetch_current, None)
        return self._get(("golden", as_of), lambda ids: self._fetch_as_of(ids, as_of), None)

    def _fetch_current(self, ids: list[str]) -> dict[str, GoldenView]:
        rows: dict[str, Row] = {}
        views: dict[str, GoldenView] = {}
        for found in self.reads.golden_rows_to_survivors(ids):
            batch = Batch()
            for i, row in found.items():
                rows[i], views[i] = row, view_from_row(row, batch)
        out: dict[str, GoldenView] = {}
        for i in ids:
            view = views.get(survivor_id(rows, i))
            if view is None or (view.status == GoldenStatus.MERGED and not view.merged_into):
                continue
            out[i] = view if view.id == i else view.as_alias(i)
        return out

    def _fetch_as_of(self, ids: list[str], as_of: datetime) -> dict[str, GoldenView]:
        batch = Batch()
        rows = self.reads.golden_rows_as_of(ids, as_of)
        return {i: view_from_row(r, batch, as_of) for i, r in rows.items()}

    def referrers(
        self, entity_type: str, key: str, as_of: datetime | None
    ) -> BatchLoader[str, list[GoldenView]]:
        """Golden views of ``entity_type`` whose ``attributes.<key>`` names the key id
        (customer children by ``parent``, prices by ``product``)."""

        def fetch(targets: list[str]) -> dict[str, list[GoldenView]]:
            if as_of is None:
                rows = self.reads.referrer_rows(entity_type, key, targets)
            else:
                rows = self.reads.referrer_rows_as_of(entity_type, key, targets, as_of)
            batch = Batch()
            golden = self.golden(as_of)
            out: dict[str, list[GoldenView]] = {}
            for target, group in rows.items():
                views = [view_from_row(r, batch, as_of) for r in group]
                for v in views:
                    golden.prime(v.id, v)
                out[target] = views
            return out

        return self._get(("referrers", entity_type, key, as_of), fetch, [])

    def prefetch_family(self, ids: list[str]) -> None:
        """Load customers with their parents and children in one statement and prime
        the golden and children loaders with them (a look-ahead for single-record
        queries; it never changes results, only how many statements they take).

        Merged rows are left to the normal path, and so are the children of an id
        that other records were merged into (their children need alias expansion).
        """
        wanted = [i for i in ids if i not in self._golden_cache()]
        if not wanted:
            return
        groups: dict[str, list[Row]] = {"g": [], "p": [], "r": [], "m": []}
        for kind, row in self.reads.family_rows(wanted):
            groups[kind].append(row)
        golden = self.golden(None)
        for kind in ("g", "p"):
            batch = Batch()
            for row in groups[kind]:
                if row["status"] != GoldenStatus.MERGED:
                    golden.prime(row["id"], view_from_row(row, batch))
        has_aliases = {row["merged_into"] for row in groups["m"]}
        kids: dict[str, list[GoldenView]] = {i: [] for i in wanted if i not in has_aliases}
        batch = Batch()
        for row in sorted(groups["r"], key=lambda r: str(r["id"])):
            target = row["attributes"].get("parent")
            if (
                target in kids
                and row["status"] == GoldenStatus.ACTIVE
                and row["entity_type"] == "customer"
            ):
                view = view_from_row(row, batch)
                golden.prime(view.id, view)
                kids[target].append(view)
        loader = self.referrers("customer", "parent", None)
        for target, views in kids.items():
            loader.prime(target, views)

    def _golden_cache(self) -> dict[str, Any]:
        return self.golden(None)._cache

    def children(self, view: GoldenView) -> list[GoldenView]:
        loader = self.referrers("customer", "parent", view.as_of)
        return loader.load(view.id, (v.id for v in view.batch.views))

    def parent(self, view: GoldenView) -> GoldenView | None:
        pid = view.attributes.get("parent")
        if not isinstance(pid, str):
            return None
        siblings = (p for v in view.batch.views if isinstance(p := v.attributes.get("parent"), str))
        parent = self.golden(view.as_of).load(pid, siblings)
        return parent if parent is not None and parent.entity_type == "customer" else None

    def descendants(self, view: GoldenView, max_depth: int, first: int) -> list[GoldenView]:
        """Breadth first, up to ``max_depth`` levels and ``first`` records, each once;
        one children query per level for the whole sibling group."""
        loader = self._get(
            ("descendants", view.as_of, max_depth, first),
            lambda roots: self._fetch_descendants(roots, max_depth, first),
            [],
        )
        return loader.load(view, view.batch.views)

    def _fetch_descendants(
        self, roots: list[GoldenView], max_depth: int, first: int
    ) -> dict[GoldenView, list[GoldenView]]:
        out: dict[GoldenView, list[GoldenView]] = {r: [] for r in roots}
        seen = {r: {r.id} for r in roots}
        frontier = [(r, r.id) for r in roots]
        for _ in range(max_depth):
            if not frontier:
                break
            loader = self.referrers("customer", "parent", roots[0].as_of)
            kids = loader.load_map(n for _, n in frontier)
            nxt: list[tuple[GoldenView, str]] = []
            for root, node in frontier:
                for kid in kids[node]:
                    if kid.id in seen[root] or len(out[root]) >= first:
                        continue
                    seen[root].add(kid.id)
                    out[root].append(kid)
                    nxt.append((root, kid.id))
            frontier = nxt
        return out

    def ancestors(self, view: GoldenView) -> list[GoldenView]:
        """Parent, grandparent, ... up to the top (cycles and merges are cut)."""
        loader = self._get(("ancestors", view.as_of), self._fetch_ancestors, [])
        return loader.load(view, view.batch.views)

    def _fetch_ancestors(self, views: list[GoldenView]) -> dict[GoldenView, list[GoldenView]]:
        out: dict[GoldenView, list[GoldenView]] = {v: [] for v in views}
        seen = {v: {v.id} for v in views}
        current = {v: v for v in views}
        golden = self.golden(views[0].as_of)
        for _ in range(MAX_ANCESTORS):
            want = {
                v: pid
                for v, c in current.items()
                if isinstance(pid := c.attributes.get("parent"), str)
            }
            if not want:
                break
            parents = golden.load_map(want.values())
            nxt: dict[GoldenView, GoldenView] = {}
            for v, pid in want.items():
                p = parents[pid]
                if p is None or p.id in seen[v] or p.entity_type != "customer":
                    continue
                seen[v].add(p.id)
                out[v].append(p)
                nxt[v] = p
            current = nxt
        return out

    # -- per-record rows ---------------------------------------------------------

    def xrefs(self, view: GoldenView) -> list[dict[str, Any]]:
        loader = self._get(("xrefs",), lambda ids: self.reads.member_rows(ids), [])
        return loader.load(view.id, (v.id for v in view.batch.views))

    def history(self, view: GoldenView, first: int) -> list[dict[str, Any]]:
        as_of = view.as_of
        loader = self._get(
            ("history", first, as_of),
            lambda ids: self.reads.history_rows(ids, first, as_of),
            [],
        )
        return loader.load(view.id, (v.id for v in view.batch.views))

    def tasks(self, view: GoldenView) -> list[dict[str, Any]]:
        loader = self._get(("tasks",), lambda ids: self.reads.tasks_for(ids), [])
        return loader.load(view.id, (v.id for v in view.batch.views))

    def decisions(self, view: GoldenView) -> list[dict[str, Any]]:
        loader = self._get(("decisions",), lambda ids: self.reads.decisions_for(ids), [])
        return loader.load(view.id, (v.id for v in view.batch.views))

    # -- transactional events and facts --------------------------------------------

    def transactions(
        self, view: GoldenView, first: int, filters: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """The newest ``first`` events of each customer of the sibling group; under
        ``asOf`` only those that occurred by then."""
        wanted = dict(filters)
        if view.as_of is not None:
            until = wanted.get("until")
            wanted["until"] = view.as_of if until is None else min(until, view.as_of)
        key = tuple(sorted((k, v) for k, v in wanted.items() if v is not None))
        loader = self._get(
            ("transactions", first, key),
            lambda ids: self.reads.transaction_rows(ids, wanted, first),
            [],
        )
        return loader.load(view.id, (v.id for v in view.batch.views))

    def facts(self, view: GoldenView) -> dict[str, Any]:
        """Each customer's facts, one statement for the sibling group."""

        def fetch(ids: list[str]) -> dict[str, dict[str, Any]]:
            groups = self.reads.fact_groups(ids, self.today)
            return {gid: facts_of_groups(groups.get(gid, [])) for gid in ids}

        loader = self._get(("facts",), fetch, None)
        return loader.load(view.id, (v.id for v in view.batch.views))
