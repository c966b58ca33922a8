"""A typed Python client for the hub's REST API, generated from a hub's ``/openapi.json``
with openapi-python-client (the dev extra pins it). Nothing generated is kept in the
repository: the document is the contract, and tests/ops/test_generated_client.py generates
the client afresh, type-checks it and uses it against a live hub.

    python scripts/generate_client.py                       # from `make run`'s hub
    python scripts/generate_client.py --url http://127.0.0.1:8000/openapi.json \\
        --out build/hub_client                               # `import hub_client`

Each operation is a module named after its operationId (the route's function name) under
its tag: ``hub_client.api.ingest.put_record.sync(...)``, ``hub_client.api.golden.
golden_record.sync(...)``; answers and refusals are attrs classes (``RecordOutcome``,
``ApiError``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

# ``Error`` (every refusal's shape) has a property ``error``, and the generator's
# from_dict names a local after each: the class is called ApiError in the client.
CONFIG = """\
post_hooks: []
class_overrides:
  Error:
    class_name: ApiError
    module_name: api_error
"""


def generate(document: str, out: Path) -> None:
    """Write the client package for ``document`` (the OpenAPI JSON) to ``out``."""
    generator = shutil.which("openapi-python-client") or str(
        Path(sys.executable).parent / "openapi-python-client"
    )
    with tempfile.TemporaryDirectory(prefix="mdm-client-") as scratch:
        doc, config = Path(scratch) / "openapi.json", Path(scratch) / "config.yaml"
        doc.write_text(document)
        config.write_text(CONFIG)
        if out.exists():
            shutil.rmtree(out)
        command = [generator, "generate", "--path", str(doc), "--output-path", str(out)]
        done = subprocess.run(
            [*command, "--meta", "none", "--config", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0 or not (out / "client.py").exists():
        raise SystemExit(f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/openapi.json")
    parser.add_argument("--out", type=Path, default=Path("build/hub_client"))
    args = parser.parse_args()
    generate(httpx.get(args.url, timeout=30).raise_for_status().text, args.out)
    print(f"the client is in {args.out} (import {args.out.name})")


if __name__ == "__main__":
    main()
