"""Fail when a module of ours passes 400 lines or a function passes 80 (CI runs this).

Big modules and long functions are where a newcomer gets lost; the limits are the
house style's (STYLE.md). Migrations are generated history and are not counted.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGES = ("canonical", "matching", "contracts", "mdm", "sync")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def problems(root: Path) -> list[str]:
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n")
            rel = path.relative_to(root)
            if lines > MAX_MODULE_LINES:
                found.append(f"{rel}: {lines} lines (limit {MAX_MODULE_LINES})")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        found.append(
                            f"{rel}:{node.lineno} {node.name}: {length} lines"
                            f" (limit {MAX_FUNCTION_LINES})"
                        )
    return found


def main() -> int:
    found = problems(Path(__file__).resolve().parent.parent)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
