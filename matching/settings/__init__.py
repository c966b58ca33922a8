"""Match settings as data: comparisons of ordered levels, blocking rules, thresholds.

The JSON shape follows splink's: a comparison is an ordered list of levels and
the first level whose condition holds decides; each level has a human label
and the Fellegi-Sunter parameters ``m`` (P(level | match)) and ``u``
(P(level | non-match)). A level is one of

- ``null``: any compared field is missing on either side (weight 0);
- ``exact``: equal standardized values (optionally of another ``field``), with
  optional term-frequency adjustment;
- ``fuzzy``: a rapidfuzz ``scorer`` (normalized to 0..1) at or above ``threshold``;
- ``cross``: this side's field equals the other side's ``field`` and the other way round
  (names swapped; ``date_of_birth:swapdm``: day and month transposed); with a ``scorer``
  and ``threshold`` each crossed pair need only be that alike (``whtie brandon``);
- ``initial``: one side is a single letter, the other starts with it;
- ``prefix``: one side is a proper prefix of the other (a birth year alone
  against the full date);
- ``differ``: both sides hold ``field`` and it differs (``org_name:digits``:
  ``Store 12`` and ``Store 13`` are two stores, however alike the names);
- ``else``: everything left.

A level's ``field`` may carry the same transforms as blocking keys
(``date_of_birth:prefix4`` is the year, ``first_name:nickname`` the
nickname-folded given name), so "year only" or "nickname" is an ``exact``
level on a derived value. ``max_m`` caps what training may make of a level's
``m`` (EM cannot tell a father and his junior son from one person's two records).
``tf_exclusive`` (with ``tf_adjustment``) also lets a rare value weigh more
than the level's average: see :mod:`matching.scoring`. A ``neutral`` level
claims its pairs and weighs nothing: the family-name comparison's "swapped"
level, because the given-name comparison already counts the swap once. A ``related``
level (a household's given names or birth years, a chain's store numbers) weighs as
trained but never links a pair on its own: what relatives share is shared by nature.
``one_side_valid`` names a validity flag exactly one side must carry: one character off
is a typo only where one value fails the checksum the other passes.

Blocking rules name the standardized fields, each optionally followed by transforms
(``name:sorted:prefix4``; ``prefixN``, ``suffixN``, ``tokenN``, ``sorted``, ``digits``,
``swapdm``, ``nickname``) whose joined values form a key; ``window`` caps how many
neighbours (in name order) a record is compared with inside one block. A rule
with ``unless`` gives no key to a record holding any of those fields: a
fallback for records that lack them (name-only records block on the name
alone, while records with a city block on name and city).

Relatives are a third kind of pair: they agree on the comparisons marked
``shared_by_relatives`` as matches do and on the rest as strangers do; ``related_prior``
(0: no such class) is trained like ``prior`` (:func:`matching.scoring.relatives_part`).

``strong_identifiers`` veto an automatic link when both sides hold different values;
``identifier_validity`` maps such an identifier to the flag that says it passed its checksum
(``tax_id -> tax_id_valid``), and then only two validated values can veto. Loading validates
everything and raises :class:`SettingsError` naming the offending path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, cast, get_args

from matching.settings.kinds import SCORERS, LevelKind, Scorer
from matching.settings.trained import EmSession, TrainedOn

__all__ = [
    "SCORERS",
    "BlockingRule",
    "Comparison",
    "ComparisonLevel",
    "EmSession",
    "LevelKind",
    "MatchSettings",
    "Scorer",
    "SettingsError",
    "Thresholds",
    "TrainedOn",
    "default_settings",
    "dump_settings",
    "load_settings",
    "parse_settings",
    "to_json",
]

_KEY_TRANSFORMS = ("prefix", "sorted", "token", "suffix", "digits", "swapdm", "nickname")


_KINDS: tuple[LevelKind, ...] = get_args(LevelKind)


class SettingsError(ValueError):
    """Settings JSON that cannot be used; the message names the path."""


@dataclass(frozen=True, slots=True)
class ComparisonLevel:
    label: str
    kind: LevelKind
    m: float
    u: float
    field: str | None = None
    scorer: Scorer | None = None
    threshold: float | None = None
    tf_adjustment: bool = False
    max_m: float | None = None
    tf_exclusive: bool = False
    neutral: bool = False
    tf_upweight: bool = False
    related: bool = False
    one_side_valid: str | None = None

    @property
    def weightless(self) -> bool:
        """Null and neutral levels weigh nothing (m = u = 1) and are never trained."""
        return self.kind == "null" or self.neutral


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    fields: tuple[str, ...]
    levels: tuple[ComparisonLevel, ...]
    description: str = ""
    shared_by_relatives: bool = False


@dataclass(frozen=True, slots=True)
class BlockingRule:
    name: str
    keys: tuple[str, ...]
    window: int = 50
    unless: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Probabilities: ``link`` and above auto-links, ``review`` and above goes to a steward."""

    link: float
    review: float


@dataclass(frozen=True, slots=True)
class MatchSettings:
    entity_type: str
    version: str
    comparisons: tuple[Comparison, ...]
    blocking: tuple[BlockingRule, ...]
    thresholds: Thresholds
    prior: float
    strong_identifiers: tuple[str, ...] = ()
    sort_field: str | None = None
    trained_on: TrainedOn = field(default_factory=TrainedOn)
    identifier_validity: Mapping[str, str] = field(default_factory=dict)
    related_prior: float = 0.0

    @property
    def fields(self) -> tuple[str, ...]:
        """Every standardized field the comparisons read, in first-use order (no transforms)."""
        seen: dict[str, None] = {}
        for comp in self.comparisons:
            for name in comp.fields:
                seen[name] = None
            for level in comp.levels:
                if level.field:
                    seen[level.field.split(":")[0]] = None
                if level.one_side_valid:
                    seen[level.one_side_valid] = None
        return tuple(seen)

    def fingerprint(self) -> str:
        """Short content hash, so two trainings of one version can be told apart."""
        payload = json.dumps(to_json(self), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:12]

    def with_parameters(
        self, comparisons: Sequence[Comparison], prior: float, trained_on: TrainedOn
    ) -> MatchSettings:
        """A copy with new m/u/prior; the version gains a ``+trained.<hash>`` suffix."""
        base = self.version.split("+", 1)[0]
        draft = replace(self, comparisons=tuple(comparisons), prior=prior, trained_on=trained_on)
        return replace(draft, version=f"{base}+trained.{draft.fingerprint()}")


def _fail(path: str, message: str) -> SettingsError:
    return SettingsError(f"{path}: {message}")


def _prob(raw: Any, path: str) -> float:
    if not isinstance(raw, int | float) or not 0 < float(raw) <= 1:
        raise _fail(path, "must be a number in (0, 1]")
    return float(raw)


def _level(raw: Mapping[str, Any], path: str) -> ComparisonLevel:
    kind = raw.get("kind")
    if kind not in _KINDS:
        raise _fail(f"{path}.kind", f"must be one of {', '.join(_KINDS)}")
    if kind == "cross" and not raw.get("field"):
        raise _fail(f"{path}.field", "a cross level names the field it crosses with")
    for part in str(raw.get("field") or "").split(":")[1:]:
        if part.rstrip("0123456789") not in _KEY_TRANSFORMS:
            raise _fail(f"{path}.field", f"unknown transform {part!r}")
    if not isinstance(raw.get("label"), str) or not raw["label"]:
        raise _fail(f"{path}.label", "a non-empty label is required")
    scorer, threshold = raw.get("scorer"), raw.get("threshold")
    if kind == "fuzzy" or (kind == "cross" and scorer is not None):
        if scorer not in SCORERS:
            raise _fail(f"{path}.scorer", f"must be one of {', '.join(SCORERS)}")
        if not isinstance(threshold, int | float) or not 0 < threshold <= 1:
            raise _fail(f"{path}.threshold", "must be in (0, 1]")
    neutral = bool(raw.get("neutral", False))
    m = 1.0 if kind == "null" or neutral else _prob(raw.get("m"), f"{path}.m")
    u = 1.0 if kind == "null" or neutral else _prob(raw.get("u"), f"{path}.u")
    return ComparisonLevel(
        label=raw["label"],
        kind=kind,
        m=m,
        u=u,
        field=raw.get("field"),
        scorer=scorer,
        threshold=float(threshold) if threshold is not None else None,
        tf_adjustment=bool(raw.get("tf_adjustment", False)),
        max_m=_prob(raw["max_m"], f"{path}.max_m") if raw.get("max_m") is not None else None,
        tf_exclusive=bool(raw.get("tf_exclusive", False)),
        neutral=neutral,
        tf_upweight=bool(raw.get("tf_upweight", False)),
        related=bool(raw.get("related", False)),
        one_side_valid=raw.get("one_side_valid"),
    )


def _comparison(raw: Mapping[str, Any], path: str) -> Comparison:
    fields = raw.get("fields")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise _fail(f"{path}.fields", "a non-empty list of field names is required")
    levels = [_level(lv, f"{path}.levels[{i}]") for i, lv in enumerate(raw.get("levels") or [])]
    if len(levels) < 2 or levels[-1].kind != "else":
        raise _fail(f"{path}.levels", "at least two levels, the last of kind else")
    if any(lv.kind == "null" for lv in levels[1:]):
        raise _fail(f"{path}.levels", "a null level may only come first")
    return Comparison(
        str(raw.get("name") or fields[0]),
        tuple(fields),
        tuple(levels),
        str(raw.get("description", "")),
        bool(raw.get("shared_by_relatives", False)),
    )


def _rule(raw: Mapping[str, Any], path: str) -> BlockingRule:
    keys = raw.get("keys")
    if not isinstance(keys, list) or not keys:
        raise _fail(f"{path}.keys", "a non-empty list is required")
    for i, key in enumerate(keys):
        for part in str(key).split(":")[1:]:
            if part.rstrip("0123456789") not in _KEY_TRANSFORMS:
                raise _fail(f"{path}.keys[{i}]", f"unknown transform {part!r}")
    window = raw.get("window", 50)
    if not isinstance(window, int) or window < 1:
        raise _fail(f"{path}.window", "must be a positive integer")
    unless = raw.get("unless", [])
    if not isinstance(unless, list) or not all(isinstance(u, str) for u in unless):
        raise _fail(f"{path}.unless", "must be a list of field names")
    return BlockingRule(str(raw.get("name") or "|".join(keys)), tuple(keys), window, tuple(unless))


def parse_settings(raw: Mapping[str, Any]) -> MatchSettings:
    """Validate a settings document (already parsed JSON) into :class:`MatchSettings`."""
    for key in ("entity_type", "version", "comparisons", "blocking", "thresholds"):
        if key not in raw:
            raise _fail(key, "is required")
    comparisons = [_comparison(c, f"comparisons[{i}]") for i, c in enumerate(raw["comparisons"])]
    names = [c.name for c in comparisons]
    if len(set(names)) != len(names):
        raise _fail("comparisons", "names must be unique")
    rules = [_rule(r, f"blocking[{i}]") for i, r in enumerate(raw["blocking"])]
    thr = raw["thresholds"]
    link, review = (
        _prob(thr.get("link"), "thresholds.link"),
        _prob(thr.get("review"), "thresholds.review"),
    )
    if review > link:
        raise _fail("thresholds", "review must not exceed link")
    return MatchSettings(
        entity_type=str(raw["entity_type"]),
        version=str(raw["version"]),
        comparisons=tuple(comparisons),
        blocking=tuple(rules),
        thresholds=Thresholds(link, review),
        prior=_prob(raw.get("prior", 0.1), "prior"),
        strong_identifiers=tuple(raw.get("strong_identifiers", ())),
        sort_field=raw.get("sort_field"),
        # as to_json wrote it: what a training saw is recorded, not checked
        trained_on=cast("TrainedOn", dict(raw.get("trained_on", {}))),
        identifier_validity=dict(raw.get("identifier_validity", {})),
        related_prior=_related_prior(raw.get("related_prior", 0.0)),
    )


def _related_prior(raw: Any) -> float:
    if not isinstance(raw, int | float) or not 0 <= float(raw) < 1:
        raise _fail("related_prior", "must be a number in [0, 1)")
    return float(raw)


def to_json(settings: MatchSettings) -> dict[str, Any]:
    """JSON-ready dict; ``parse_settings(to_json(s)) == s``."""
    doc = asdict(settings)
    doc["trained_on"] = dict(settings.trained_on)
    for comp in doc["comparisons"]:
        comp["fields"] = list(comp["fields"])
        comp["levels"] = [
            {
                k: v
                for k, v in lv.items()
                if v is not None
                and not (
                    k in ("tf_adjustment", "tf_exclusive", "neutral", "tf_upweight", "related")
                    and not v
                )
                and not (k in ("m", "u") and (lv["kind"] == "null" or lv.get("neutral")))
            }
            for lv in comp["levels"]
        ]
    doc["identifier_validity"] = dict(settings.identifier_validity)
    for comp in doc["comparisons"]:
        if not comp["shared_by_relatives"]:
            del comp["shared_by_relatives"]
    if not doc["related_prior"]:
        del doc["related_prior"]
    for rule in doc["blocking"]:
        rule["keys"] = list(rule["keys"])
        rule["unless"] = list(rule["unless"])
        if not rule["unless"]:
            del rule["unless"]
    doc["strong_identifiers"] = list(doc["strong_identifiers"])
    return doc


def dump_settings(settings: MatchSettings) -> str:
    """Stable, indented JSON text of ``settings``."""
    return json.dumps(to_json(settings), indent=2, sort_keys=False) + "\n"


def load_settings(text: str) -> MatchSettings:
    """Parse and validate settings JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"$: not JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise SettingsError("$: must be an object")
    return parse_settings(raw)


@cache
def default_settings(entity_type: str) -> MatchSettings:
    """The shipped settings for ``customer`` or ``product`` (cached; never built at import).

    Why the shipped defaults are what they are (chosen once, for every data set):

    - Thresholds: link at 0.9, review from 0.5, never moved per data set. On
      every development set (Febrl 1-4, names and dates of birth only, our
      census, B2B, company-name and product generators) F1 moves by less than
      0.02 between 0.8 and 0.95, except census-style households (better
      higher) and name-only or names-and-birth-date sets (better lower); 0.9
      sits between them and is the value splink users know.
    - Comparisons are the union of what organizations, persons and products
      carry; a column a file lacks is null everywhere and weighs nothing, and
      training keeps its shipped m/u. Persons compare on given and family
      name (swaps, nicknames, initials), organizations on the core name
      (``org_name``), street and city as one ``address`` comparison.
    - Blocking rules: exact identifiers (tax id, registration number, domain,
      email, phone), name with country or city, street with city, postcode
      with initial, and person rules on names and date of birth, which need no
      place at all; ``unless`` rules block name-only records on the name
      alone. Windows of 5-20 neighbours bound the pairs of a common block.
    - m, u and the prior are only starting values: ``mdm dedupe`` estimates
      them from its input every time (:mod:`matching.batch_training`). They
      were fitted on our own generators (synthetic accounts, census persons),
      never on another package's data.
    - Caps that keep EM honest (``max_m`` 0.05 on "given name different" and
      "date of birth different") and the 94% ceiling of a rare organization
      name alone are the only hand-set numbers; each says what evidence EM
      cannot see (relatives who share everything but a name or a birth date;
      a name nobody else holds).
    """
    name = f"{entity_type}.json"
    try:
        text = resources.files("matching.settings").joinpath(name).read_text("utf-8")
    except FileNotFoundError as exc:
        raise SettingsError(f"no shipped settings for entity type {entity_type!r}") from exc
    return load_settings(text)
