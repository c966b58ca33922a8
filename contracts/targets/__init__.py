"""The target systems' published language: wire shapes, default field mappings, options.

Pure: nothing here talks to a network. ``sync.connectors`` speaks these shapes; the service
can validate a target's configuration (``validate_target``) without importing ``sync``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from contracts.targets.mapping import MappingError, merge_mapping, validate_mapping
from contracts.targets.options import KINDS, OPTION_DEFAULTS, OptionError, resolve_options

__all__ = [
    "KINDS",
    "OPTION_DEFAULTS",
    "MappingError",
    "OptionError",
    "default_mapping",
    "mapping_version",
    "resolve_options",
    "target_mapping",
    "validate_target",
]


@cache
def _load(kind: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise OptionError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    text = resources.files(__package__).joinpath(f"{kind}.mapping.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def default_mapping(kind: str) -> dict[str, Any]:
    """The kind's default ``{target_path: spec}`` (a fresh copy: callers may change it)."""
    return copy.deepcopy(_load(kind)["fields"])


def mapping_version(kind: str) -> int:
    return int(_load(kind)["version"])


def _placeholders(options: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in options.items() if isinstance(v, str)}


def target_mapping(
    kind: str, override: Mapping[str, Any] | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The mapping a target uses: its override merged over the default, checked."""
    fields = merge_mapping(default_mapping(kind), override)
    validate_mapping(fields, placeholders=_placeholders(options))
    return fields


def validate_target(
    kind: str, *, mapping: Mapping[str, Any] | None = None, options: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Check a target's kind, options and mapping override; answer the resolved options.

    Raises OptionError or MappingError (both ValueError) whose message names the field.
    """
    resolved = resolve_options(kind, options)
    if mapping is not None and not isinstance(mapping, Mapping):
        raise MappingError("mapping: an object of target field -> spec")
    target_mapping(kind, mapping, resolved)
    return resolved
