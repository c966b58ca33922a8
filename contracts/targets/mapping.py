"""The field-mapping language: canonical golden attributes -> one target's fields, as data.

A mapping is a JSON object ``{target_path: spec}``.

A *target path* is dotted (``address.line1`` nests an object), a segment such as
``items[0]`` makes a list, and ``{placeholder}`` is filled from the target's options
(Salesforce's external-id field name, for instance).

A *spec* is a source path (``"address.city"``, or a ``$virtual`` from ``VIRTUALS``) or an
object with these keys, all optional:

- ``from``: a source path or spec, or a list of them; the first one that yields a value wins
- ``const``: a fixed value
- ``kinds``: the customer kinds (``organization``, ``person``) the field applies to
- ``if``: a source path that must hold a value for the field to apply
- ``transform``: a name from ``TRANSFORMS``, with an argument after a colon (``truncate:255``)
- ``omit_empty``: ``true`` leaves the field out of the body, instead of clearing it, while
  the golden record has no value (for a field the hub sets on some records only, such as
  the derived ``payment_status``: a target sees it once a customer has one)

A spec that yields nothing renders as ``None``: every connector turns ``None`` into its
API's way of clearing the field (or omits it where the API has none), so a value removed
from the golden record is removed at the target too.

A target's own ``mapping`` override is merged over the default per field: a spec replaces
the default's, a new path extends it, ``None`` removes the field. The keys a connector
matches on (external ids, Stripe's golden-id metadata) are not in mappings and cannot be
overridden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "TRANSFORMS",
    "VIRTUALS",
    "MappingError",
    "merge_mapping",
    "nest",
    "render",
    "validate_mapping",
    "virtual_attributes",
]

VIRTUALS = (
    "$golden_id",
    "$status",
    "$merged_into",
    "$version",
    "$display_name",
    "$full_name",
    "$is_person",
    "$street",
    "$address_text",
    "$website_domain",
    "$email_domain",
)

# mailbox providers: their domain says nothing about which organization a person belongs to
_FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
    }
)
_SPEC_KEYS = frozenset({"from", "const", "kinds", "if", "transform", "omit_empty"})
_SEGMENT = re.compile(r"^(?P<key>[^.\[\]]+)(?:\[(?P<index>\d+)\])?$")


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the target field."""


def _truncate(value: Any, arg: str | None) -> Any:
    return value if not isinstance(value, str) or arg is None else value[: int(arg)]


TRANSFORMS: dict[str, Callable[[Any, str | None], Any]] = {
    "list": lambda v, _: list(v) if isinstance(v, list | tuple) else [v],
    "upper": lambda v, _: v.upper() if isinstance(v, str) else v,
    "lower": lambda v, _: v.lower() if isinstance(v, str) else v,
    "string": lambda v, _: str(v),
    "not": lambda v, _: not v,
    "truncate": _truncate,
}


def _domain_of_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def _domain_of_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower()
    return None if not domain or domain in _FREE_MAIL else domain


def _join(parts: list[Any], sep: str) -> str | None:
    text = sep.join(str(p) for p in parts if p)
    return text or None


def virtual_attributes(
    *,
    golden_id: str,
    version: int,
    status: str,
    merged_into: str | None,
    attributes: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``$virtual`` values of one golden record, computed from its canonical attributes."""
    kind = attributes.get("kind")
    full_name = _join([attributes.get("first_name"), attributes.get("last_name")], " ")
    address = attributes.get("address") or {}
    locality = _join([address.get("postcode"), address.get("city")], " ")
    return {
        "$golden_id": golden_id,
        "$status": status,
        "$merged_into": merged_into,
        "$version": version,
        "$display_name": attributes.get("name") or full_name,
        "$full_name": full_name,
        "$is_person": kind == "person",
        "$street": _join([address.get("line1"), address.get("line2")], "\n"),
        "$address_text": _join(
            [
                address.get("line1"),
                address.get("line2"),
                locality,
                address.get("region"),
                address.get("country"),
            ],
            ", ",
        ),
        "$website_domain": _domain_of_url(attributes.get("website")),
        "$email_domain": _domain_of_email(attributes.get("email")),
    }


def _lookup(path: str, attributes: Mapping[str, Any], virtuals: Mapping[str, Any]) -> Any:
    if path.startswith("$"):
        return virtuals.get(path)
    value: Any = attributes
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return None if value == "" or value == [] else value


def _evaluate(spec: Any, attributes: Mapping[str, Any], virtuals: Mapping[str, Any]) -> Any:
    if isinstance(spec, str):
        return _lookup(spec, attributes, virtuals)
    if isinstance(spec, list):
        for option in spec:
            value = _evaluate(option, attributes, virtuals)
            if value is not None:
                return value
        return None
    kinds = spec.get("kinds")
    if kinds is not None and attributes.get("kind") not in kinds:
        return None
    if "if" in spec and _lookup(spec["if"], attributes, virtuals) is None:
        return None
    value = spec["const"] if "const" in spec else _evaluate(spec.get("from"), attributes, virtuals)
    if value is None or "transform" not in spec:
        return value
    name, _, arg = str(spec["transform"]).partition(":")
    return TRANSFORMS[name](value, arg or None)


def render(
    fields: Mapping[str, Any],
    attributes: Mapping[str, Any],
    virtuals: Mapping[str, Any],
    *,
    placeholders: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Every mapped target path with its value (``None`` where the golden record has none)."""
    out: dict[str, Any] = {}
    for path, spec in fields.items():
        value = _evaluate(spec, attributes, virtuals)
        if value is None and isinstance(spec, Mapping) and spec.get("omit_empty"):
            continue
        out[path.format_map(placeholders or {})] = value
    return out


def nest(flat: Mapping[str, Any], *, drop_none: bool = False) -> dict[str, Any]:
    """Turn ``{"a.b[0].c": 1}`` into ``{"a": {"b": [{"c": 1}]}}``.

    With ``drop_none`` a ``None`` is left out, and so is an object or list left empty by it.
    """
    root: dict[str, Any] = {}
    for path, value in flat.items():
        if value is None and drop_none:
            continue
        node: Any = root
        parts = path.split(".")
        for depth, part in enumerate(parts):
            match = _SEGMENT.match(part)
            if match is None:
                raise MappingError(f"{path}: {part!r} is not a field name")
            key, index = match["key"], match["index"]
            last = depth == len(parts) - 1
            if index is None:
                if last:
                    node[key] = value
                else:
                    node = node.setdefault(key, {})
                continue
            items = node.setdefault(key, [])
            position = int(index)
            while len(items) <= position:
                items.append({})
            if last:
                items[position] = value
            else:
                node = items[position]
    return root


def merge_mapping(default: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(default)
    for path, spec in (override or {}).items():
        if spec is None:
            merged.pop(path, None)
        else:
            merged[path] = spec
    return merged


def _check_spec(path: str, spec: Any) -> None:
    if isinstance(spec, str):
        if spec.startswith("$") and spec not in VIRTUALS:
            raise MappingError(f"{path}: unknown virtual attribute {spec!r}")
        if not spec:
            raise MappingError(f"{path}: empty source path")
        return
    if isinstance(spec, list):
        if not spec:
            raise MappingError(f"{path}: empty list of sources")
        for option in spec:
            _check_spec(path, option)
        return
    if not isinstance(spec, Mapping):
        raise MappingError(f"{path}: a spec is a source path, a list or an object")
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise MappingError(f"{path}: unknown spec keys {sorted(unknown)}")
    if ("const" in spec) == ("from" in spec):
        raise MappingError(f"{path}: give exactly one of 'from' and 'const'")
    if "from" in spec:
        _check_spec(path, spec["from"])
    if "if" in spec:
        _check_spec(path, spec["if"])
    kinds = spec.get("kinds")
    if kinds is not None and not (
        isinstance(kinds, list) and set(kinds) <= {"organization", "person"}
    ):
        raise MappingError(f"{path}: kinds must list 'organization' and/or 'person'")
    if not isinstance(spec.get("omit_empty", False), bool):
        raise MappingError(f"{path}: omit_empty is true or false")
    if "transform" in spec:
        name, _, arg = str(spec["transform"]).partition(":")
        if name not in TRANSFORMS:
            raise MappingError(f"{path}: unknown transform {name!r}")
        if name == "truncate" and not arg.isdigit():
            raise MappingError(f"{path}: truncate needs a length, e.g. 'truncate:255'")


def validate_mapping(fields: Mapping[str, Any], *, placeholders: Mapping[str, str]) -> None:
    """Raise MappingError naming the first unusable target field."""
    if not isinstance(fields, Mapping):
        raise MappingError("a mapping is an object of target field -> spec")
    for path, spec in fields.items():
        try:
            concrete = path.format_map(placeholders)
        except (KeyError, ValueError) as exc:
            raise MappingError(f"{path}: unknown placeholder {exc}") from None
        for part in concrete.split("."):
            if _SEGMENT.match(part) is None:
                raise MappingError(f"{path}: {part!r} is not a field name")
        if spec is not None:
            _check_spec(path, spec)
