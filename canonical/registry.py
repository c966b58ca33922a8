"""The schema registry's pure rules: subjects, fingerprints, well-formed proposals, refusals.

A *subject* is what versions are kept for: a canonical entity type (``customer``) or a
golden event type (``mdm.golden.customer.created.v1``). Versions of a subject are
numbered from 1 and never change once registered; a document is identified by its
:func:`fingerprint`, so registering the same document again is not a new version.

Stored source records name the schema they were validated with as a *label*
(``customer/v2``, :func:`schema_label`); :func:`label_version` reads it back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema_rs

from canonical.compatibility import Incompatibility, Mode, SubjectKind
from canonical.errors import FieldError

__all__ = [
    "DIALECT",
    "RESERVED_DEFS",
    "fingerprint",
    "has_defaults",
    "label_version",
    "malformed",
    "parse_mode",
    "refusal_errors",
    "schema_label",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
RESERVED_DEFS = ("data", "xref", "attributes")
"""``$defs`` names an entity schema may not use: its golden event schemas take them."""

_LABEL = re.compile(r"^(?P<entity>[a-z_]+)/v(?P<version>[1-9][0-9]*)$")


def fingerprint(document: Mapping[str, Any]) -> str:
    """SHA-256 of the document's canonical JSON (sorted keys, no spaces): equal documents,
    however their keys are ordered or spaced, have equal fingerprints."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def schema_label(entity_type: str, version: int) -> str:
    return f"{entity_type}/v{version}"


def label_version(label: str) -> int:
    """The version in a stored label (``customer/v2`` -> 2)."""
    found = _LABEL.match(label)
    if found is None:
        raise ValueError(f"not a schema label: {label!r}")
    return int(found["version"])


def parse_mode(value: object) -> Mode | None:
    """A mode from an API or CLI value; None (or JSON null) means the kind's default."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("mode must be a string or null")
    return Mode.parse(value)


def has_defaults(schema: Any) -> bool:
    """Whether any ``default`` is declared anywhere (if not, upcasting is the identity)."""
    if isinstance(schema, Mapping):
        return "default" in schema or any(has_defaults(v) for v in schema.values())
    if isinstance(schema, list):
        return any(has_defaults(v) for v in schema)
    return False


def _pointer(path: Sequence[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def malformed(document: Any, kind: SubjectKind) -> list[FieldError]:
    """Why ``document`` cannot be a version of a subject of ``kind``; empty when it can.

    It must be a JSON Schema 2020-12 object schema that compiles (its ``$ref``\\ s
    resolve); an entity schema must also declare ``properties`` and leave the
    :data:`RESERVED_DEFS` names to its event schemas. Pointers are into the document.
    """
    if not isinstance(document, dict):
        return [FieldError("/schema", "a schema is a JSON object", "type")]
    dialect = document.get("$schema", DIALECT)
    if dialect != DIALECT:
        return [FieldError("/$schema", f"only JSON Schema 2020-12 ({DIALECT})", "dialect")]
    try:
        jsonschema_rs.meta.validate(document)
    except jsonschema_rs.ValidationError as exc:
        return [FieldError(_pointer(exc.instance_path) or "/", exc.message, "not_a_schema")]
    errors: list[FieldError] = []
    if document.get("type") != "object":
        errors.append(FieldError("/type", "the schema must describe an object", "type"))
    if kind is SubjectKind.ENTITY:
        if not isinstance(document.get("properties"), dict):
            errors.append(
                FieldError("/properties", "an entity schema declares properties", "required")
            )
        for name in RESERVED_DEFS:
            if name in document.get("$defs", {}):
                errors.append(
                    FieldError(
                        f"/$defs/{name}", f"'{name}' is taken by the event schemas", "reserved"
                    )
                )
    if not errors:
        try:
            jsonschema_rs.validator_for(document, validate_formats=True)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
            errors.append(FieldError("/", f"the schema does not compile: {exc}", "not_a_schema"))
    return errors


def refusal_errors(subject: str, refused: Sequence[Incompatibility]) -> list[FieldError]:
    """One error per refused change: the rule as its code, the JSON pointer it breaks, and a
    message naming the subject, the promise broken and the version it breaks against."""
    return [
        FieldError(
            i.pointer,
            f"{subject}: {i.message} (breaks {' and '.join(d.value for d in i.breaks)} "
            f"compatibility with version {i.against_version})",
            i.rule,
        )
        for i in refused
    ]
