"""Splink 5 (DuckDB) with one general setup chosen from the columns a CSV has.

What a careful Splink user would do with a canonical flat CSV and no labels,
the same for every data set (no per-data-set settings):

- light cleaning: case folded, accents and punctuation removed, whitespace
  collapsed, legal forms (Inc, GmbH, Société Anonyme, ...) taken off names;
  phone as its last nine digits; website/email reduced to a domain; tax id,
  sku and postcode upper-case alphanumerics; gtin digits without leading
  zeros; price as a number;
- comparisons from Splink's comparison library for each column present
  (NameComparison with term frequencies for person names, DateOfBirthComparison,
  EmailComparison, Jaro-Winkler / Levenshtein at thresholds elsewhere, a
  relative price difference);
- blocking rules from the columns present, each kept only if it generates at
  most ``max(2e6, 40 * records)`` comparisons (Splink's own counter);
- training: the prior by ``estimate_probability_two_random_records_match`` on
  deterministic rules at recall 0.7, u by random sampling (1e7 pairs), m by EM
  on two or three blocking rules so that every comparison is estimated once,
  each on at most 2e6 sampled pairs (a session that cannot run is skipped:
  Splink's default m stays).

``run(path, pairs_out)`` returns cluster labels at match probability 0.9
(and when clustering finished) and saves every predicted pair at probability
>= 0.01 for a threshold sweep.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Any

import numpy as np

__all__ = ["prepare", "run"]

THRESHOLD = 0.9
PREDICT_FLOOR = 0.01
MEMORY_LIMIT = "12GB"
EM_MAX_PAIRS = 2e6


def _fold(value: Any) -> str | None:
    if value is None or value != value:
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w\s&]", " ", text)
    text = " ".join(text.split())
    return text or None


def _alnum(value: Any) -> str | None:
    if value is None or value != value:
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    return text or None


def _phone(value: Any) -> str | None:
    if value is None or value != value:
        return None
    text = re.split(r"(?i)\s*(ext|x)\.?\s*\d+$", str(value))[0]
    digits = re.sub(r"\D", "", text)
    return digits[-9:] if len(digits) >= 6 else None


def _domain(website: Any, email: Any) -> str | None:
    for value, is_email in ((website, False), (email, True)):
        if value is None or value != value or not str(value).strip():
            continue
        text = str(value).strip().lower()
        text = text.split("@", 1)[1] if is_email and "@" in text else text
        text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
        return text.removeprefix("www.") or None
    return None


def _gtin(value: Any) -> str | None:
    if value is None or value != value:
        return None
    digits = re.sub(r"\D", "", str(value)).lstrip("0")
    return digits or None


def _price(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None


# legal forms, removed from organisation names before comparing them (after folding)
_LEGAL_PHRASES = re.compile(
    r"\b(gesellschaft mit beschr(a|ae)nkter haftung|aktiengesellschaft|limited liability company"
    r"|public limited company|societe (a responsabilite limitee|par actions simplifiee|anonyme)"
    r"|sociedad (limitada|anonima)|societa (a responsabilita limitata|per azioni)"
    r"|besloten vennootschap|naamloze vennootschap|eingetragener kaufmann|incorporated"
    r"|corporation|company|limited)\b"
)
_LEGAL_TOKENS = set(
    [
        "inc",
        "corp",
        "co",
        "llc",
        "l",
        "l",
        "c",
        "ltd",
        "plc",
        "llp",
        "gmbh",
        "g",
        "m",
        "b",
        "h",
        "ag",
        "kg",
        "e",
        "k",
        "sa",
        "s",
        "a",
        "sas",
        "sarl",
        "srl",
        "spa",
        "s",
        "p",
        "a",
        "s",
        "r",
        "l",
        "bv",
        "b",
        "v",
        "nv",
        "n",
        "v",
        "sl",
        "pty",
    ]
)


def _org_name(value: str | None) -> str | None:
    if not value:
        return None
    text = _LEGAL_PHRASES.sub(" ", value)
    words = text.split()
    while words and words[-1] in _LEGAL_TOKENS | {"&"}:
        words.pop()
    return " ".join(words) or value


def _sorted(value: str | None) -> str | None:
    return " ".join(sorted(value.split())) if value else None


def prepare(frame: Any) -> Any:
    """The cleaned frame (``unique_id`` = row number) with derived blocking columns."""
    import pandas as pd

    out = pd.DataFrame({"unique_id": np.arange(len(frame))})
    cols = set(frame.columns)
    text = ["first_name", "last_name", "name", "address_line1", "address_line2", "city"]
    text += ["region", "country", "family", "brand", "supplier", "legal_form"]
    for column in text:
        if column in cols:
            out[column] = [_fold(v) for v in frame[column]]
    for column in ("tax_id", "registration_number", "postcode", "sku"):
        if column in cols:
            out[column] = [_alnum(v) for v in frame[column]]
    if "date_of_birth" in cols:
        out["date_of_birth"] = [
            v if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else None
            for v in frame["date_of_birth"]
        ]
    if "email" in cols:
        out["email"] = [v.strip().lower() if isinstance(v, str) else None for v in frame["email"]]
    if "phone" in cols:
        out["phone"] = [_phone(v) for v in frame["phone"]]
    if "website" in cols or "email" in cols:
        web = frame["website"] if "website" in cols else [None] * len(frame)
        mail = frame["email"] if "email" in cols else [None] * len(frame)
        out["domain"] = [_domain(w, e) for w, e in zip(web, mail, strict=True)]
    if "gtin" in cols:
        out["gtin"] = [_gtin(v) for v in frame["gtin"]]
    if "list_price" in cols:
        out["list_price"] = [_price(v) for v in frame["list_price"]]
    if "name" in out:
        out["name"] = [_org_name(v) for v in out["name"]]
        out["name_sorted"] = [_sorted(v) for v in out["name"]]
    if "first_name" in out and "last_name" in out:
        both = zip(out["first_name"], out["last_name"], strict=True)
        out["full_name_sorted"] = [_sorted(f"{a or ''} {b or ''}".strip() or None) for a, b in both]
    # a column that is empty everywhere is treated as absent
    return out[[c for c in out.columns if out[c].notna().any()]]


def _comparisons(cols: set[str]) -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    tf = {"term_frequency_adjustments": True}
    out: list[Any] = []
    for column in ("first_name", "last_name"):
        if column in cols:
            out.append(cl.NameComparison(column).configure(**tf))
    if "name" in cols:
        out.append(cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.75]).configure(**tf))
    if "date_of_birth" in cols:
        out.append(
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d"
            )
        )
    for column in ("tax_id", "registration_number", "sku"):
        if column in cols:
            out.append(cl.LevenshteinAtThresholds(column, [1, 2]))
    if "email" in cols:
        out.append(cl.EmailComparison("email"))
    if "phone" in cols:
        out.append(cl.LevenshteinAtThresholds("phone", [1]))
    if "gtin" in cols:
        out.append(cl.ExactMatch("gtin"))
    for column in ("domain", "family", "brand", "legal_form", "region", "country"):
        if column in cols:
            out.append(cl.ExactMatch(column).configure(**tf))
    for column in ("address_line1", "address_line2"):
        if column in cols:
            out.append(cl.JaroWinklerAtThresholds(column, [0.95, 0.85]))
    if "city" in cols:
        out.append(cl.JaroWinklerAtThresholds("city", [0.92]).configure(**tf))
    if "supplier" in cols:
        out.append(cl.JaroWinklerAtThresholds("supplier", [0.9]))
    if "postcode" in cols:
        out.append(cl.LevenshteinAtThresholds("postcode", [1]))
    if "list_price" in cols:
        rel = "abs(list_price_l - list_price_r) / greatest(list_price_l, list_price_r, 0.01)"
        out.append(
            cl.CustomComparison(
                output_column_name="list_price",
                comparison_levels=[
                    cll.NullLevel("list_price"),
                    cll.CustomLevel(f"{rel} <= 0.005", "price within 0.5%"),
                    cll.CustomLevel(f"{rel} <= 0.05", "price within 5%"),
                    cll.CustomLevel(f"{rel} <= 0.2", "price within 20%"),
                    cll.ElseLevel(),
                ],
            )
        )
    return out


def _candidate_rules(cols: set[str]) -> list[Any]:
    from splink import block_on

    rules: list[Any] = []
    for column in ("tax_id", "registration_number", "email", "phone", "domain", "gtin", "sku"):
        if column in cols:
            rules.append(block_on(column))
    if {"first_name", "last_name"} <= cols:
        rules.append(block_on("first_name", "last_name"))
        rules.append(block_on("full_name_sorted"))
        rules.append(block_on("substr(first_name, 1, 2)", "substr(last_name, 1, 2)"))
        if "date_of_birth" in cols:
            rules.append(block_on("last_name", "date_of_birth"))
            rules.append(block_on("first_name", "date_of_birth"))
            rules.append(block_on("date_of_birth", "substr(last_name, 1, 1)"))
        for column in ("postcode", "city", "address_line1"):
            if column in cols:
                rules.append(block_on(column, "substr(last_name, 1, 1)"))
    if "name" in cols:
        rules.append(block_on("name"))
        rules.append(block_on("name_sorted"))
        place = [c for c in ("country", "city") if c in cols][:1]
        rules.append(block_on("substr(name, 1, 6)", *place))
        if "city" in cols:
            rules.append(block_on("substr(name, 1, 3)", "city"))
        if "brand" in cols:
            rules.append(block_on("brand", "substr(name_sorted, 1, 4)"))
    if {"address_line1", "city"} <= cols and "first_name" not in cols:
        rules.append(block_on("address_line1", "city"))
    if "postcode" in cols and "name" in cols:
        rules.append(block_on("postcode", "substr(name, 1, 1)"))
    return rules


def _affordable(rules: list[Any], table: Any, db_api: Any, records: int) -> list[Any]:
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    cap = max(2e6, 40.0 * records)
    sample = 1.0 if records <= 20_000 else 0.05
    kept = []
    for rule in rules:
        counted = count_comparisons_from_blocking_rules(
            table,
            blocking_rules=rule,
            link_type="dedupe_only",
            record_sample_proportion=sample,
        )
        record = counted[0]
        number = getattr(record, "cumulative_comparison_count", None)
        if number is None and isinstance(record, dict):
            number = record.get("cumulative_comparison_count")
        if number is None or float(number) <= cap:
            kept.append(rule)
    return kept


def _training_rules(cols: set[str]) -> tuple[list[Any], list[Any]]:
    """(deterministic rules for the prior, EM blocking rules)."""
    from splink import block_on

    deterministic: list[Any] = []
    em: list[Any] = []
    for column in ("tax_id", "registration_number", "email", "gtin"):
        if column in cols:
            deterministic.append(block_on(column))
    if {"first_name", "last_name"} <= cols:
        place = [c for c in ("date_of_birth", "postcode", "city") if c in cols][:1]
        person = ["first_name", "last_name", *place]
        deterministic.append(block_on(*person))
        em.append(block_on("first_name", "last_name"))
        if "date_of_birth" in cols:
            em.append(block_on("date_of_birth"))
        else:  # a location session trains the names; with a birth date it would find
            # households (same surname and street) instead of persons
            for column in ("postcode", "city", "address_line1"):
                if column in cols:
                    em.append(block_on(column))
                    break
    if "name" in cols:
        place = [c for c in ("city", "country") if c in cols][:1]
        deterministic.append(block_on("name", *place))
        em.append(block_on("substr(name_sorted, 1, 5)"))
        for column in ("tax_id", "domain", "gtin", "sku", "phone", "postcode"):
            if column in cols:
                em.append(block_on(column))
                break
    return deterministic, em


def run(path: str, pairs_out: str) -> tuple[list[str], float]:
    """Cluster the CSV at ``path`` with Splink; save predicted pairs to ``pairs_out`` (.npz).

    Returns the labels and the ``time.time()`` at which clustering finished
    (saving the pairs for the sweep is not the tool's work).
    """
    import logging
    import time

    import duckdb
    import pandas as pd
    from splink import DuckDBAPI, Linker, SettingsCreator

    logging.disable(logging.WARNING)
    frame = prepare(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))
    cols = set(frame.columns) - {"unique_id"}
    connection = duckdb.connect()
    connection.execute(f"SET memory_limit='{MEMORY_LIMIT}'")
    connection.execute("SET temp_directory='/tmp/mdm-bench/duckdb-spill'")
    db_api = DuckDBAPI(connection=connection)
    table = db_api.register(frame)
    blocking = _affordable(_candidate_rules(cols), table, db_api, len(frame))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(cols),
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings)
    deterministic, em_rules = _training_rules(cols)
    train = linker.training
    train.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    train.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in em_rules:
        try:
            train.estimate_parameters_using_expectation_maximisation(rule, max_pairs=EM_MAX_PAIRS)
        except Exception as exc:  # a session that cannot run leaves Splink's default m
            print(f"EM session skipped ({exc})", file=sys.stderr, flush=True)
    predictions = linker.inference.predict(threshold_match_probability=PREDICT_FLOOR)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    ).as_pandas_dataframe()
    labels = dict(zip(clusters["unique_id"], clusters["cluster_id"], strict=True))
    done_at = time.time()
    pairs = predictions.as_pandas_dataframe()
    np.savez(
        pairs_out,
        left=pairs["unique_id_l"].to_numpy(np.int64),
        right=pairs["unique_id_r"].to_numpy(np.int64),
        probability=pairs["match_probability"].to_numpy(np.float64),
    )
    return [str(labels.get(i, f"single{i}")) for i in range(len(frame))], done_at
