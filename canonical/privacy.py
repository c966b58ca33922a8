"""Personal data: the one policy that says which attributes of which records are personal,
and how every read shows them to a caller without the ``pii`` role.

A customer of kind ``person`` is a natural person: their email, phone, date of birth
and tax id (a national identifier) are personal data. An organization's email and
phone are business contacts and stay visible. Masked values read ``"***"``; wherever a
value can travel with a record (lineage alternatives, match explanations, event
payloads, steward comparisons, quarantined payloads) it is masked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from canonical.survivorship.lineage import Alternative, LineageEntry

__all__ = [
    "MASK",
    "PERSONAL_ATTRIBUTES",
    "is_personal_record",
    "mask_attributes",
    "mask_lineage",
    "mask_payload",
    "scrub",
    "scrub_text",
]

MASK = "***"
# entity type -> attributes that are personal data when the record describes a person
PERSONAL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "customer": ("date_of_birth", "email", "phone", "tax_id"),
}
_VALUE_KEYS = frozenset({"left", "right", "value", "values", "a", "b", "incoming", "candidate"})
_NAME_KEYS = ("field", "attribute", "comparison", "name")
_ALL_PERSONAL = frozenset(a for attrs in PERSONAL_ATTRIBUTES.values() for a in attrs)


def is_personal_record(entity_type: str, record: Mapping[str, Any]) -> bool:
    """Whether ``record`` (a golden record's attributes or a source payload) is a person's."""
    return entity_type == "customer" and record.get("kind") == "person"


def mask_attributes(
    entity_type: str, attributes: Mapping[str, Any], may_see: bool
) -> tuple[dict[str, Any], list[str]]:
    """The attributes with personal values masked, and the sorted names masked."""
    personal = PERSONAL_ATTRIBUTES.get(entity_type, ())
    if may_see or not personal or not is_personal_record(entity_type, attributes):
        return dict(attributes), []
    masked = sorted(k for k in personal if attributes.get(k) is not None)
    return {k: (MASK if k in masked else v) for k, v in attributes.items()}, masked


mask_payload = mask_attributes  # a source payload has the same shape as golden attributes


def mask_lineage(
    entity_type: str,
    attributes: Mapping[str, Any],
    lineage: Mapping[str, LineageEntry],
    may_see: bool,
) -> dict[str, LineageEntry]:
    """Lineage with the other sources' values of personal attributes masked."""
    if may_see or not is_personal_record(entity_type, attributes):
        return dict(lineage)
    personal = PERSONAL_ATTRIBUTES.get(entity_type, ())
    out: dict[str, LineageEntry] = {}
    for attr, entry in lineage.items():
        if attr in personal and isinstance(entry, Mapping) and "alternatives" in entry:
            alternatives: list[Alternative] = [{**a, "value": MASK} for a in entry["alternatives"]]
            out[attr] = {**entry, "alternatives": alternatives}
        else:
            out[attr] = entry
    return out


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()./-]{5,}\d")


def scrub_text(text: str) -> str:
    """Free text from elsewhere (a target's error message) with anything that looks like an
    email address or a phone number masked: such text may quote a person's record."""
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


def _masked_key(text: str) -> str:
    """A blocking key such as ``email:ada@example.org`` with a personal value masked."""
    field, sep, _ = text.partition(":")
    if sep and (field in _ALL_PERSONAL or field.startswith(("dob", "email", "phone", "tax_id"))):
        return f"{field}:{MASK}"
    return text


def scrub(value: Any, about_personal: bool = False) -> Any:
    """Free-form JSON (a match explanation, a comparison) with every value of a personal
    attribute masked: where its key names one, or where its mapping describes one
    (``{"field": "email", "left": ..., "right": ...}`` or ``{"email": {...}}``), and the
    values in blocking keys (``email:...``, ``tax_id:...``)."""
    if isinstance(value, list):
        return [scrub(v, about_personal) for v in value]
    if isinstance(value, str) and not about_personal:
        return _masked_key(value)
    if not isinstance(value, Mapping):
        return MASK if about_personal and value is not None else value
    about = about_personal or any(value.get(k) in _ALL_PERSONAL for k in _NAME_KEYS)
    out: dict[str, Any] = {}
    for k, v in value.items():
        if isinstance(v, Mapping | list):
            out[k] = scrub(v, k in _ALL_PERSONAL or (about and k in _VALUE_KEYS))
        elif v is not None and (k in _ALL_PERSONAL or (about and k in _VALUE_KEYS)):
            out[k] = MASK
        else:
            out[k] = _masked_key(v) if isinstance(v, str) else v
    return out
