"""Shared pieces of the benchmark data generators: noise, cluster sizes, CSV writing.

Every generator is a pure function of ``(records, seed)`` using its own
``random.Random``; nothing reads the clock or the environment, so the same
arguments give byte-identical files on every machine.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "KEYBOARD",
    "copies_count",
    "pick_zipf",
    "typo",
    "write_rows",
    "zipf_weights",
]

# neighbouring keys on a QWERTY keyboard, for substitution typos
KEYBOARD = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
    "0": "9",
    "1": "2",
    "2": "13",
    "3": "24",
    "4": "35",
    "5": "46",
    "6": "57",
    "7": "68",
    "8": "79",
    "9": "80",
}


def typo(rng: random.Random, text: str) -> str:
    """One keyboard-style error: substitute a neighbour, drop, double or swap two letters."""
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    if len(positions) < 2:
        return text
    i = rng.choice(positions[1:]) if rng.random() < 0.85 else positions[0]
    kind = rng.random()
    ch = text[i]
    if kind < 0.4:
        near = KEYBOARD.get(ch.lower(), "")
        if not near:
            return text[:i] + text[i + 1 :]
        new = rng.choice(near)
        return text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
    if kind < 0.65:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + ch + text[i:]
    j = i + 1 if i + 1 < len(text) and text[i + 1].isalnum() else i - 1
    a, b = min(i, j), max(i, j)
    return text[:a] + text[b] + text[a] + text[b + 1 :]


def zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    """Weights 1/rank**exponent: a few values very common, a long tail of rare ones."""
    return [1.0 / (rank**exponent) for rank in range(1, n + 1)]


def pick_zipf(rng: random.Random, values: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(values, weights=weights, k=1)[0]


def copies_count(rng: random.Random, duplicate_share: float) -> int:
    """1 for a singleton, else 2-4 copies (2 most often)."""
    if rng.random() >= duplicate_share:
        return 1
    return rng.choices([2, 3, 4], weights=[0.6, 0.28, 0.12], k=1)[0]


def write_rows(
    path: Path, columns: Sequence[str], rows: Iterable[dict[str, str | None]]
) -> tuple[Path, Path]:
    """Write ``path`` (the dedupe input, no truth) and ``<stem>.truth.csv`` (id, entity_id).

    Rows carry ``entity_id``; it goes to the truth file only, so that a tool
    reading the input cannot see it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    truth_path = path.with_name(path.stem + ".truth.csv")
    tmp, tmp_truth = path.with_suffix(".tmp"), truth_path.with_suffix(".tmp")
    with (
        tmp.open("w", newline="", encoding="utf-8") as data,
        tmp_truth.open("w", newline="", encoding="utf-8") as truth,
    ):
        writer = csv.writer(data)
        truth_writer = csv.writer(truth)
        writer.writerow(columns)
        truth_writer.writerow(["id", "entity_id"])
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
            truth_writer.writerow([row["id"], row["entity_id"]])
    tmp.rename(path)
    tmp_truth.rename(truth_path)
    return path, truth_path
