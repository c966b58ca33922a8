"""Company names only (``id, name``), as in a lead list or a supplier spreadsheet.

Names are rare (coined: ``Veltranix Optics``) or common (``Smith Consulting``,
``ABC Cleaning``: carried by many unrelated firms, so exact equality of a
common name is weak evidence, the hard negatives of this set). Copies differ
by typos, case, abbreviations (Intl, Mfg, &/and), the legal form written out,
abbreviated or left off (Corp / Corporation / Corp.; GmbH / Gesellschaft mit
beschraenkter Haftung), a dropped sector word, ``The``. Countries mix, so the
legal-form families mix too.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .common import copies_count
from .orgnames import OrgName, make_name, write_name
from .vocab_org_names import COMMON_BUSINESS_NAMES
from .vocab_orgs import COUNTRIES

__all__ = ["COMPANY_COLUMNS", "company_rows"]

COMPANY_COLUMNS = ["id", "name"]


def _entity(rng: random.Random) -> OrgName:
    codes = list(COUNTRIES)
    country = rng.choices(codes, weights=[COUNTRIES[c]["weight"] for c in codes])[0]
    info = COUNTRIES[country]
    if rng.random() < 0.12:  # a common business name, with this firm's own legal form
        name = make_name(rng, info["sectors"], info["forms"])
        return OrgName(rng.choice(COMMON_BUSINESS_NAMES), "", name.form, name.forms)
    return make_name(rng, info["sectors"], info["forms"])


def company_rows(
    records: int = 4000, seed: int = 31, duplicate_share: float = 0.3
) -> Iterator[dict[str, str | None]]:
    """``records`` name-only rows with ``entity_id``, shuffled, ids ``c00001`` ..."""
    rng = random.Random(seed)
    rows: list[dict[str, str | None]] = []
    entity = 0
    while len(rows) < records:
        name = _entity(rng)
        for copy in range(copies_count(rng, duplicate_share)):
            rows.append(
                {"entity_id": str(entity), "name": write_name(rng, name, 0.4 if copy == 0 else 1.0)}
            )
        entity += 1
    rows = rows[:records]
    rng.shuffle(rows)
    for i, row in enumerate(rows, 1):
        yield {"id": f"c{i:05d}", **row}
