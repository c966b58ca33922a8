"""Readiness rules as data: each kind's defaults, and checking the rules a target is given.

What the rules mean and how the dispatcher holds a record that breaks them is in
:mod:`sync.readiness`. A rule names attribute paths of the canonical model; they are checked
against the newest registered schema of the entity type, so a path the model lacks is a 422
naming it, not a rule that silently holds everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical.errors import FieldError, InvalidInput
from canonical.schemas import ENTITY_TYPES
from mdm.plugin_api import UnitOfWork, current_schema

__all__ = ["DEFAULTS", "TAX_ID_COUNTRIES", "check_rules", "rules_of"]

# where businesses carry a VAT or GST registration number that goes on every B2B invoice (and
# that an ERP records on the customer): the EU, the EEA, the UK and Switzerland, and the other
# large VAT/GST systems. Elsewhere (the US above all) an ERP customer is created without one.
TAX_ID_COUNTRIES: tuple[str, ...] = (
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
    *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    *("IS", "LI", "NO", "GB", "CH"),
    *("AU", "NZ", "IN", "SG", "ZA", "AE", "SA", "BR", "MX"),
)

DEFAULTS: dict[str, dict[str, Any]] = {
    # an ERP validates before it creates: a billing address, payment terms, the tax id a
    # business has where its country issues one, and the account hierarchy's parent first
    "netsuite": {
        "customer": {
            "required": [
                "address.line1",
                "address.city",
                "address.country",
                "payment_terms",
                {
                    "path": "tax_id",
                    "when": {"kind": ["organization"], "address.country": list(TAX_ID_COUNTRIES)},
                },
            ],
            "parent_delivered": True,
        }
    },
    "salesforce": {},
    "stripe": {},
    "zendesk": {},
}

_RULE_KEYS = {"required", "parent_delivered"}
_MAX_REQUIRED = 100
_MAX_VALUES = 300


def rules_of(target: Mapping[str, Any]) -> dict[str, Any]:
    """The rules a stored target follows: its own, or its kind's defaults."""
    own = target.get("readiness")
    if own is not None:
        return dict(own)
    return dict(DEFAULTS.get(str(target.get("kind")), {}))


def _invalid(pointer: str, message: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(f"the target is invalid: {message}", [FieldError(pointer, message, code)])


def _deref(document: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        found: Any = document
        for part in ref[2:].split("/"):
            found = found.get(part, {}) if isinstance(found, Mapping) else {}
        node = found
    return node


def _known_path(document: Mapping[str, Any], path: str) -> bool:
    """Whether ``path`` names an attribute of the schema (or lies inside a free-form object
    such as ``extensions``)."""
    node: Any = document
    for segment in path.split("."):
        node = _deref(document, node)
        if not isinstance(node, Mapping):
            return False
        properties = node.get("properties")
        if isinstance(properties, Mapping) and segment in properties:
            node = properties[segment]
            continue
        free = node.get("type") == "object" and not properties
        return free and node.get("additionalProperties", True) is not False
    return True


def _path(document: Mapping[str, Any], value: Any, pointer: str, entity_type: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise _invalid(pointer, "an attribute path: text such as 'address.line1'")
    if not _known_path(document, value):
        raise _invalid(pointer, f"'{value}' is not an attribute of {entity_type}", "unknown")
    return value


def _when(document: Mapping[str, Any], value: Any, pointer: str, entity_type: str) -> dict:
    if not isinstance(value, Mapping) or not value:
        raise _invalid(pointer, "'when' is an object of attribute path -> list of values")
    out: dict[str, list[Any]] = {}
    for path, allowed in value.items():
        at = f"{pointer}/{path}"
        _path(document, path, at, entity_type)
        scalars = (str, int, float, bool)
        if (
            not isinstance(allowed, list)
            or not allowed
            or len(allowed) > _MAX_VALUES
            or not all(isinstance(v, scalars) for v in allowed)
        ):
            raise _invalid(at, f"a list of 1 to {_MAX_VALUES} values (text, numbers, booleans)")
        out[path] = list(allowed)
    return out


def _required(document: Mapping[str, Any], value: Any, pointer: str, entity_type: str) -> list:
    if not isinstance(value, list) or len(value) > _MAX_REQUIRED:
        raise _invalid(pointer, f"'required' is a list of at most {_MAX_REQUIRED} attribute paths")
    out: list[Any] = []
    for n, entry in enumerate(value):
        at = f"{pointer}/{n}"
        if isinstance(entry, Mapping):
            unknown = sorted(set(entry) - {"path", "when"})
            if unknown:
                raise _invalid(f"{at}/{unknown[0]}", f"'{unknown[0]}' is not a requirement field")
            path = _path(document, entry.get("path"), f"{at}/path", entity_type)
            when = entry.get("when")
            out.append(
                {"path": path, "when": _when(document, when, f"{at}/when", entity_type)}
                if when is not None
                else path
            )
        else:
            out.append(_path(document, entry, at, entity_type))
    return out


def check_rules(uow: UnitOfWork, value: Any) -> dict[str, Any] | None:
    """A PUT body's ``readiness`` checked against the canonical schemas in force (the newest
    registered version of each entity type): None keeps the kind's defaults; anything wrong
    is a 422 naming the place."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _invalid("/readiness", "'readiness' is an object of entity type -> rule")
    out: dict[str, Any] = {}
    for entity_type, rule in value.items():
        at = f"/readiness/{entity_type}"
        if entity_type not in ENTITY_TYPES:
            known = ", ".join(ENTITY_TYPES)
            raise _invalid(at, f"unknown entity type '{entity_type}' (one of {known})", "unknown")
        if not isinstance(rule, Mapping):
            raise _invalid(at, "a rule is an object: {'required': [...], 'parent_delivered': ...}")
        unknown = sorted(set(rule) - _RULE_KEYS)
        if unknown:
            raise _invalid(f"{at}/{unknown[0]}", f"'{unknown[0]}' is not a readiness rule field")
        document = current_schema(uow, entity_type).document
        checked: dict[str, Any] = {
            "required": _required(document, rule.get("required", []), f"{at}/required", entity_type)
        }
        parent = rule.get("parent_delivered", False)
        if not isinstance(parent, bool):
            raise _invalid(f"{at}/parent_delivered", "'parent_delivered' is true or false")
        checked["parent_delivered"] = parent
        out[entity_type] = checked
    return out
