"""Pure standardizer functions: one place where raw values become comparable.

Every function takes a raw value (anything a source may send) and returns a
standardized string, or ``None`` when nothing usable is left; none of them
raises on bad input. Results of the costly parsers (phones, tax ids, countries,
legal forms) are cached per distinct input, because sources repeat values and
the hub re-standardizes candidate records on every decision.

:func:`standardize` turns a canonical record into one flat
``dict[str, str | None]`` that comparisons, blocking and clustering read; no
other module looks at raw values. :func:`standardize_columns` does the same
for a whole batch, column by column (each distinct value once), with equal
results.

``default_region`` is the ISO 3166 alpha-2 region of the record's source: it
places national phone numbers when the record's address has no country.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matching.forked import forked_map
from matching.standardize.columns import customer_columns
from matching.standardize.contact import (
    email,
    email_domain,
    organization_domain,
    phone_e164,
    phone_key,
    phone_national,
    registrable_domain,
)
from matching.standardize.customers import CUSTOMER_FIELDS, standardize_customer
from matching.standardize.organizations import (
    legal_form,
    organization_name,
    split_legal_form,
    tax_id,
)
from matching.standardize.places import country_iso2, is_region, postcode
from matching.standardize.products import (
    gtin,
    price_band,
    product_name,
    sku,
    standardize_product,
)
from matching.standardize.text import date_ymd, fold, identifier, person_name, street, text_of

__all__ = [
    "CUSTOMER_FIELDS",
    "STANDARDIZER_VERSION",
    "Standardized",
    "country_iso2",
    "date_ymd",
    "email",
    "email_domain",
    "fold",
    "gtin",
    "identifier",
    "is_region",
    "legal_form",
    "organization_domain",
    "organization_name",
    "person_name",
    "phone_e164",
    "phone_key",
    "phone_national",
    "postcode",
    "price_band",
    "product_name",
    "registrable_domain",
    "sku",
    "split_legal_form",
    "standardize",
    "standardize_columns",
    "standardize_customer",
    "standardize_product",
    "street",
    "tax_id",
]

Standardized = dict[str, str | None]

# Bump when a change here changes any standardized value: stored prepared forms of
# an older version are then ignored (and records standardized afresh).
# 2: legal-form families, phones read in the source's default region (else national
# digits) with phone_national, dates as YYYYMMDD, product sizes, brands and price bands.
# 3: generational suffixes (Jr, Sr, III) taken out of person names into their own field.
STANDARDIZER_VERSION = "3"


def _generic(record: Mapping[str, Any]) -> Standardized:
    return {k: fold(text_of(v)) for k, v in record.items() if not isinstance(v, Mapping | list)}


def standardize(
    entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
) -> Standardized:
    """Dispatch on entity type; unknown types get every scalar field folded.

    ``default_region`` (the source's ISO2 region) only matters for customers.
    """
    if entity_type == "customer":
        return standardize_customer(record, default_region=default_region)
    if entity_type == "product":
        return standardize_product(record)
    return _generic(record)


def standardize_columns(
    entity_type: str,
    records: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    default_region: str | None = None,
    processes: int | None = None,
    chunk_size: int = 25_000,
) -> dict[str, list[str | None]]:
    """The requested standardized ``fields`` of every record, as columns.

    Equal to :func:`standardize` record by record; customers are standardized
    column by column, each distinct value (or value and country) once. Inputs of
    more than two chunks are split over ``processes`` worker processes (default:
    all cores) forked from this one (:func:`matching.forked.forked_map`), so the
    records are not copied to them; small inputs run in this process.
    """
    names = tuple(dict.fromkeys(fields))
    if len(records) <= 2 * chunk_size:
        bounds = [(0, len(records))]
    else:
        bounds = [
            (i, min(i + chunk_size, len(records))) for i in range(0, len(records), chunk_size)
        ]
    job = (entity_type, records, names, default_region)
    parts = list(forked_map(_slice, job, bounds, processes=processes))
    return {name: [v for part in parts for v in part[name]] for name in names}


_Job = tuple[str, Sequence[Mapping[str, Any]], tuple[str, ...], str | None]


def _slice(job: _Job, bounds: tuple[int, int]) -> dict[str, list[str | None]]:
    entity_type, records, names, region = job
    part = records[bounds[0] : bounds[1]]
    if entity_type == "customer":
        return customer_columns(part, names, default_region=region)
    rows = [standardize(entity_type, r, default_region=region) for r in part]
    return {name: [row.get(name) for row in rows] for name in names}
