"""The schema as SDL, and the contract file it must equal.

``python -m mdm.graphql.sdl`` rewrites ``contracts/schema.graphql`` from the
code; a test fails while the two differ, so every schema change is deliberate.
"""

from __future__ import annotations

from pathlib import Path

from graphql import print_schema

import contracts
from mdm.graphql.schema import build_schema

__all__ = ["CONTRACT_PATH", "main", "schema_sdl"]

CONTRACT_PATH = Path(contracts.__file__).resolve().parent / "schema.graphql"


def schema_sdl() -> str:
    return print_schema(build_schema().graphql_schema) + "\n"


def main() -> None:
    CONTRACT_PATH.write_text(schema_sdl())
    print(f"wrote {CONTRACT_PATH}")


if __name__ == "__main__":
    main()
