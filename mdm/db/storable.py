"""What both databases store and query faithfully, checked before anything is written.

PostgreSQL refuses the NUL character in text and in JSONB (SQLite keeps it, so the
same record would be accepted or refused depending on the backend); neither driver
can encode a lone surrogate (``"\\ud800"`` parsed by a lenient JSON reader); an integer
beyond 64 bits fits no integer column and no JSON writer we use (orjson reads one as a
float, so ``mdm.http.body`` reads such bodies exactly to refuse them); and
JSON nested deeper than orjson writes (254 levels, less the few levels our own
envelopes add around a record) cannot be written back out. The callers (the HTTP
layer, ``mdm load``) refuse such values with a 422 that points at the place, so the
outcome is the same on both databases and one bad record never fails its batch.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_SOURCE_ID",
    "UNSTORABLE_CODES",
    "bad_text",
    "loads_exact",
    "unstorable",
]

MAX_JSON_DEPTH = 64
# the length of every column holding a source system's id (records, quarantine, events)
MAX_SOURCE_ID = 200
# the error codes of a value refused because no database could hold it
UNSTORABLE_CODES = frozenset({"nul_character", "invalid_unicode", "too_deep", "integer_too_large"})
# integers the hub keeps exactly: a signed 64-bit column, orjson and every target can hold them
MIN_INT, MAX_INT = -(2**63), 2**63 - 1

_BAD = re.compile("[\x00\ud800-\udfff]")
_MESSAGES = {
    "nul_character": "contains a NUL character (U+0000), which the hub does not store",
    "invalid_unicode": "contains a lone UTF-16 surrogate, which is not a character",
    "integer_too_large": f"is an integer beyond 64 bits ({MIN_INT} to {MAX_INT}), "
    "which the hub does not store",
}
_MAX_PROBLEMS = 20
# 20 digits in a row: maybe an integer orjson read as a float (beyond 2**64)
_LONG_DIGITS = re.compile(rb"[0-9]{20}")


def loads_exact(data: bytes | str) -> Any:
    """JSON as orjson reads it (its errors included), except that a document holding an
    integer beyond 64 bits is read again with the standard reader, which keeps the
    integer exact: :func:`unstorable` then refuses it instead of a float being stored."""
    value = orjson.loads(data)
    raw = data.encode() if isinstance(data, str) else data
    if _LONG_DIGITS.search(raw) is None:
        return value
    return json.loads(raw)


Path = tuple[Any, ...] | None  # (parent path, key): built into a pointer only when needed


def bad_text(text: str) -> str | None:
    """The problem code of ``text`` (``nul_character``, ``invalid_unicode``) or None."""
    found = _BAD.search(text)
    if found is None:
        return None
    return "nul_character" if "\x00" in text else "invalid_unicode"


def unstorable(value: Any, base: str = "") -> list[dict[str, str]]:
    """Where ``value`` (parsed JSON) holds text or nesting the hub cannot store: one
    ``{pointer, message, code}`` per place (JSON pointers under ``base``), at most 20,
    in pointer order; empty when every value can be stored."""
    if _clean(value):
        return []
    problems: list[dict[str, str]] = []
    stack: list[tuple[Any, int, Path]] = [(value, 0, None)]
    while stack and len(problems) < _MAX_PROBLEMS:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            code = bad_text(node)
            if code:
                problems.append(_problem(base, path, code, "the value"))
            continue
        if isinstance(node, int) and not MIN_INT <= node <= MAX_INT:
            problems.append(_problem(base, path, "integer_too_large", "the value"))
            continue
        if not isinstance(node, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            problems.append(
                {
                    "pointer": _pointer(base, path) or "/",
                    "message": f"nesting deeper than {MAX_JSON_DEPTH} levels is not stored",
                    "code": "too_deep",
                }
            )
            continue
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in pairs:
            if isinstance(key, str) and bad_text(key):
                problems.append(_problem(base, (path, key), bad_text(key) or "", "the key"))
            stack.append((child, depth + 1, (path, key)))
    problems.sort(key=lambda p: p["pointer"])
    return problems


def _clean(value: Any) -> bool:
    """True for the common record: objects and arrays a few levels deep of text, numbers
    in range and nulls, no key or text holding a NUL or a lone surrogate. One search over
    all the texts instead of a walk that keeps every value's path (a tenth of an initial
    load's validation went to that walk); anything else takes the walk."""
    texts: list[str] = []
    if not _gather(value, texts, 0):
        return False
    return _BAD.search("".join(texts)) is None


def _gather(node: Any, texts: list[str], depth: int) -> bool:
    kind = type(node)
    if kind is str:
        texts.append(node)
        return True
    if kind is int:
        return bool(MIN_INT <= node <= MAX_INT)
    if node is None or kind is float or kind is bool:
        return True
    if depth >= 8:  # deep nesting: the walk says exactly where
        return False
    if kind is dict:
        for key, child in node.items():
            if type(key) is not str or not _gather(child, texts, depth + 1):
                return False
            texts.append(key)
        return True
    if kind is list:
        return all(_gather(child, texts, depth + 1) for child in node)
    return False


def _problem(base: str, path: Path, code: str, what: str) -> dict[str, str]:
    pointer = _pointer(base, path) or "/"
    return {"pointer": pointer, "message": f"{what} {_MESSAGES[code]}", "code": code}


def _pointer(base: str, path: Path) -> str:
    """The JSON pointer of ``path``; a key's own NUL or surrogate is written as its
    ``\\uXXXX`` escape, so the error itself can always be sent."""
    parts: list[str] = []
    while path is not None:
        path, key = path
        part = str(key).replace("~", "~0").replace("/", "~1")
        parts.append(_BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", part))
    return base + "".join("/" + p for p in reversed(parts))
