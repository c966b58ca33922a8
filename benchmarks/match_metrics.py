"""What the matching benchmark measures and how it reports it: pairwise precision, recall and
F1 of cluster labels, the threshold sweep of scored pairs, and the markdown table row."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["HEADER", "SWEEP", "markdown_row", "pairwise_scores", "sweep"]

SWEEP = sorted(
    {round(x, 4) for x in np.arange(0.05, 0.951, 0.05)}
    | {0.01, 0.02, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999, 0.99999}
)


def pairwise_scores(truth: Any, predicted: Any) -> dict[str, float]:
    """Pairwise precision, recall and F1 of cluster labels against true entity labels."""
    _, t = np.unique(np.asarray(truth, dtype=str), return_inverse=True)
    _, p = np.unique(np.asarray(predicted, dtype=str), return_inverse=True)

    def pairs(counts: Any) -> int:
        counts = counts.astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    true_pairs = pairs(np.bincount(t))
    pred_pairs = pairs(np.bincount(p))
    both = pairs(np.unique(t.astype(np.int64) * (p.max() + 1) + p, return_counts=True)[1])
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
    }


def sweep(truth: list[str], left: Any, right: Any, probability: Any) -> list[dict[str, float]]:
    """Scores of connected components over the pairs at each threshold tried."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    size = len(truth)
    out = []
    # the fixed grid plus quantiles of the predicted probabilities themselves, so that
    # the best threshold is found where the model puts its mass
    grid = set(SWEEP)
    if len(probability):
        grid |= {float(q) for q in np.quantile(probability, np.linspace(0.02, 0.98, 49))}
    for threshold in sorted(grid):
        keep = probability >= threshold
        graph = coo_matrix(
            (np.ones(int(keep.sum()), dtype=np.int8), (left[keep], right[keep])), shape=(size, size)
        )
        _, labels = connected_components(graph, directed=False)
        out.append({"threshold": threshold, **pairwise_scores(truth, labels)})
    return out


def _f(value: Any, fmt: str = ".3f") -> str:
    return "-" if value is None else format(value, fmt)


def markdown_row(r: dict[str, Any]) -> str:
    ours, splink, block = r.get("ours", {}), r.get("splink", {}), r.get("blocking", {})
    if "error" in ours or "error" in splink:
        note = "; ".join(
            f"{k} {v['error']}" for k, v in (("ours", ours), ("splink", splink)) if "error" in v
        )
    else:
        note = ""
    best = (
        f"{_f(splink.get('best_f1'))} @{splink['best_threshold']:.4g}"
        if "best_f1" in splink
        else "-"
    )
    cells = [
        r["dataset"],
        f"{r['records']:,}",
        f"{r['true_pairs']:,}",
        _f(ours.get("precision")),
        _f(ours.get("recall")),
        f"**{_f(ours.get('f1'))}**",
        (
            f"{_f(block['ours_best_f1_cc'])} @{block['ours_best_threshold_cc']:.4g}"
            if block.get("ours_best_f1_cc") is not None
            else "-"
        ),
        _f(splink.get("f1")),
        best,
        (
            f"{_f(block['blocking_recall'])} ({block['candidate_pairs']:,})"
            if "blocking_recall" in block
            else "-"
        ),
        f"{_f(ours.get('seconds'), '.1f')} / {_f(splink.get('seconds'), '.1f')}",
        f"{_f(ours.get('peak_mb'), ',.0f')} / {_f(splink.get('peak_mb'), ',.0f')}",
    ]
    return "| " + " | ".join(cells) + " |" + (f" {note}" if note else "")


HEADER = (
    "| data set | records | true pairs | ours P | ours R | ours F1 | ours best F1 (cc) "
    "| Splink F1 @0.9 | Splink best F1 | our blocking recall (pairs) | wall s ours / Splink "
    "| peak MB ours / Splink |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)
