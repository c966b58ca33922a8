"""The shipped document of a registry subject, checked against the fingerprint a migration
was written for: a migration writes exactly the document it was reviewed with."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

__all__ = ["shipped_document"]


def shipped_document(subject: str, expected: str) -> dict[str, Any]:
    """``canonical/schemas/<subject>.v1.json`` or ``contracts/events/<subject>.json``."""
    package, path = (
        ("contracts", f"events/{subject}.json")
        if subject.startswith("mdm.")
        else ("canonical", f"schemas/{subject}.v1.json")
    )
    document: dict[str, Any] = json.loads(
        resources.files(package).joinpath(path).read_text(encoding="utf-8")
    )
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if hashlib.sha256(text.encode()).hexdigest() != expected:
        raise RuntimeError(f"{package}/{path} is not the document this migration ships")
    return document
