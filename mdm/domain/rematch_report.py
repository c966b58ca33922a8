"""A rematch's impact as people read it: counts, a few samples of each kind, and (for the
report file) every item, each shown with the pair of records behind it and its score.

Kinds of item:

- ``merge``: a new cluster that brings records of two or more golden records together;
- ``split``: a golden record whose records fall into two or more new clusters;
- ``review_open``: two clusters with a doubtful pair between them that no open task and
  no steward decision covers yet;
- ``review_close``: an open task the new clustering answers (``why``: ``linked``, both
  sides in one cluster, or ``below_review``, no pair between them doubtful any more);
- ``contradict_approved``: a merge a steward made (approved match or manual merge) that
  the model alone would split without asking;
- ``contradict_rejected``: a not-a-match pair the model alone would merge.

Merges and splits are counted after the steward decisions were kept (what applying would
do); contradictions are the model's own clustering against those decisions (what the
decisions prevent). A pair shown for a merge is the most probable one between the golden
records it joins; for a split, between the parts; its ``score`` is the match probability
under the proposed settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from canonical.privacy import mask_payload
from canonical.timestamps import iso
from matching.rematch import BestPairs, Groups, IntArray, Sides
from mdm.db.repositories.rematch import RematchReads
from mdm.db.uow import UnitOfWork
from mdm.domain.rematch import Rematch
from mdm.domain.tasks import display_name

__all__ = ["KINDS", "impact", "summary"]

KINDS = (
    "merge",
    "split",
    "review_open",
    "review_close",
    "contradict_approved",
    "contradict_rejected",
)

SHOWN = {
    "customer": ("kind", "name", "first_name", "last_name", "tax_id", "registration_number",
                 "email", "phone", "website", "date_of_birth", "address"),
    "product": ("sku", "name", "gtin", "brand", "manufacturer", "family", "unit"),
}  # fmt: skip
"""The attributes a sample shows of each record: those matching reads, not the whole payload."""

Item = tuple[int, int, float, dict[str, Any]]
"""(left row, right row, probability, what the item is about); rows -1 when unknown."""


def impact(
    uow: UnitOfWork, found: Rematch, *, samples: int, full: bool, pii: bool
) -> dict[str, Any]:
    """Counts, up to ``samples`` items of each kind, and with ``full`` every item
    (``items``). Personal data is masked unless ``pii``."""
    limit = None if full else samples
    items = {
        "merge": _merges(found, limit),
        "split": _splits(found, limit),
        "review_open": _opened(found, limit),
        "review_close": _closed(found, limit),
        "contradict_approved": _decided(
            found, found.contradicted_together, found.together_best, True, limit
        ),
        "contradict_rejected": _decided(
            found, found.contradicted_apart, found.apart_best, False, limit
        ),
    }
    rows = {r for kind in items.values() for a, b, _, _ in kind for r in (a, b) if r >= 0}
    shown = RematchReads(uow.records.conn).shown([found.hub.record_id(r) for r in rows])
    render = _Renderer(found, shown, pii)
    out: dict[str, Any] = {
        **summary(found),
        "samples": {k: [render.item(i) for i in v[:samples]] for k, v in items.items()},
    }
    if full:
        out["items"] = {k: [render.item(i) for i in v] for k, v in items.items()}
    return out


def summary(found: Rematch) -> dict[str, Any]:
    """The counts and figures of a rematch, without samples."""
    hub, changes = found.hub, found.changes
    goldens_merging = len(np.unique(hub.golden[np.isin(found.kept.labels, changes.merged)]))
    return {
        "entity_type": hub.entity_type,
        "settings_version": found.settings.version,
        "thresholds": {
            "link": found.settings.thresholds.link,
            "review": found.settings.thresholds.review,
        },
        "records": hub.size,
        "golden_records": len(hub.golden_ids),
        "golden_records_after": len(np.unique(found.kept.labels)),
        "counts": {
            "merge": len(changes.merged),
            "golden_records_merging": goldens_merging,
            "split": len(changes.split),
            "changed_golden_records": len(changes.changed),
            "review_open": len(found.reviews.opened),
            "review_close": len(found.reviews.closed),
            "contradict_approved": len(found.contradicted_together),
            "contradict_rejected": len(found.contradicted_apart),
            "steward_decisions": {
                "together": len(found.decisions.together),
                "apart": len(found.decisions.apart),
                "together_not_kept": len(found.kept.refused),
            },
            "open_tasks": len(found.decisions.questions),
        },
        "stats": {
            "candidate_pairs": found.raw.stats.get("candidate_pairs", 0),
            "links": found.raw.stats.get("links", 0),
            "review_pairs": len(found.raw.review),
            "seconds": found.seconds,
        },
    }


def _paired(sides: Sequence[Sides], infos: Sequence[dict[str, Any]], found: Rematch) -> list[Item]:
    best = found.scorer.best(sides)
    return _items(best, infos)


def _items(best: BestPairs, infos: Sequence[dict[str, Any]]) -> list[Item]:
    return [
        (int(best.left[i]), int(best.right[i]), float(best.probability[i]), info)
        for i, info in enumerate(infos)
    ]


def _split_by(rows: IntArray, labels: IntArray) -> tuple[Sides, np.ndarray]:
    """The rows carrying the most common of ``labels`` against the rest, and the distinct
    labels."""
    distinct, counts = np.unique(labels, return_counts=True)
    main = distinct[int(np.argmax(counts))]
    return (rows[labels == main], rows[labels != main]), distinct


def _merges(found: Rematch, limit: int | None) -> list[Item]:
    by_label = Groups(found.kept.labels)
    sides, infos = [], []
    for label in found.changes.merged[:limit].tolist():
        rows = by_label.rows(label)
        pair, goldens = _split_by(rows, found.hub.golden[rows])
        sides.append(pair)
        infos.append(
            {
                "golden_ids": [found.hub.golden_id(int(g)) for g in goldens],
                "records": len(rows),
            }
        )
    return _paired(sides, infos, found)


def _splits(found: Rematch, limit: int | None) -> list[Item]:
    sides, infos = [], []
    for code in found.changes.split[:limit].tolist():
        rows = found.hub.by_golden.rows(code)
        pair, parts = _split_by(rows, found.kept.labels[rows])
        sides.append(pair)
        infos.append(
            {"golden_id": found.hub.golden_id(code), "records": len(rows), "parts": len(parts)}
        )
    return _paired(sides, infos, found)


def _opened(found: Rematch, limit: int | None) -> list[Item]:
    return [(a, b, p, {}) for a, b, p in found.reviews.opened[:limit]]


def _closed(found: Rematch, limit: int | None) -> list[Item]:
    chosen = found.reviews.closed[:limit]
    questions = found.decisions.questions
    infos = [{**questions[i].info, "why": why} for i, why in chosen]
    return _paired([questions[i].sides for i, _ in chosen], infos, found)


def _decided(
    found: Rematch, indices: Sequence[int], best: BestPairs, together: bool, limit: int | None
) -> list[Item]:
    decisions = found.decisions.together if together else found.decisions.apart
    refused = set(found.kept.refused)
    out: list[Item] = []
    for i in list(indices)[:limit]:
        info = dict(decisions[i].info)
        if together:
            info["kept"] = i not in refused
        out.append((int(best.left[i]), int(best.right[i]), float(best.probability[i]), info))
    return out


class _Renderer:
    """Items as JSON: each row as the record it is, masked as the caller may see it."""

    def __init__(self, found: Rematch, shown: Mapping[str, dict[str, Any]], pii: bool) -> None:
        self.found, self.shown, self.pii = found, shown, pii
        self.attributes = SHOWN.get(found.hub.entity_type, ())

    def item(self, item: Item) -> dict[str, Any]:
        left, right, probability, info = item
        out = {k: _json(v) for k, v in info.items()}
        out["left"], out["right"] = self.record(left), self.record(right)
        out["score"] = None if np.isnan(probability) else round(probability, 6)
        return out

    def record(self, row: int) -> dict[str, Any] | None:
        if row < 0:
            return None
        record_id = self.found.hub.record_id(row)
        stored = self.shown.get(record_id)
        if stored is None:  # changed since it was read; the id still says which it was
            return {"record_id": record_id}
        payload = stored["payload"] if isinstance(stored["payload"], Mapping) else {}
        masked, _ = mask_payload(self.found.hub.entity_type, payload, self.pii)
        return {
            "record_id": record_id,
            "source": stored["source"],
            "source_id": stored["source_id"],
            "golden_id": stored["golden_id"],
            "name": display_name(masked),
            "attributes": {k: masked[k] for k in self.attributes if masked.get(k) is not None},
        }


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    return value
