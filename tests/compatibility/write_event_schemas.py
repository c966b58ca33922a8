"""Write contracts/events/*.json from the canonical schemas of the latest version.

Run after a canonical change that should reach the published event schemas::

    .venv/bin/python -m tests.compatibility.write_event_schemas
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from canonical.schemas import ENTITY_TYPES, schema_for
from contracts.event_schemas import golden_event_schema
from contracts.events import GOLDEN_CHANGES
from contracts.integration_events import integration_event_schemas

DIRECTORY = Path(__file__).resolve().parents[2] / "contracts" / "events"


def expected() -> dict[str, str]:
    """File name -> text, exactly as committed."""
    out = {}
    for entity in ENTITY_TYPES:
        canonical: Any = schema_for(entity).document
        for change in GOLDEN_CHANGES:
            schema = golden_event_schema(entity, change, canonical)
            out[f"{schema['title']}.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    for event_type, schema in integration_event_schemas().items():
        out[f"{event_type}.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def main() -> None:
    DIRECTORY.mkdir(exist_ok=True)
    for name, text in expected().items():
        (DIRECTORY / name).write_text(text, encoding="utf-8")
        print(DIRECTORY / name)


if __name__ == "__main__":
    main()
