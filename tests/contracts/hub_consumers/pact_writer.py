"""Consumer tests of the hub: each writes ``contracts/pacts/<consumer>-golden-record-hub.json``.

One test per consumer declares every interaction of that consumer, runs the consumer's
code against pact-python's mock server (HTTP) and message verifier (golden events), and
only when it passed writes the pact. HTTP and message interactions are declared on two
``Pact`` objects (one mixed object panics the mock server on shutdown) and written into
a fresh temporary directory, where the second write merges into the first; the file then
replaces the committed one in one ``os.replace``. So a deleted interaction never lingers,
and a verifier reading the directory at the same time sees the old or the new file,
never half of one. ``MDM_PACT_OUT`` writes elsewhere.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pact import Pact

ROOT = Path(__file__).resolve().parents[3]
PROVIDER = "golden-record-hub"


def pact_dir() -> Path:
    return Path(os.environ.get("MDM_PACT_OUT") or ROOT / "contracts" / "pacts")


def write_pact(consumer: str, *pacts: Pact) -> Path:
    """Merge ``pacts`` (one consumer's HTTP and message pacts) into one file and put it in
    place of that consumer's pact."""
    target = pact_dir()
    target.mkdir(parents=True, exist_ok=True)
    name = f"{consumer}-{PROVIDER}.json"
    with tempfile.TemporaryDirectory(dir=target, prefix=".pact-") as tmp:
        for pact in pacts:
            pact.write_file(tmp)
        os.replace(Path(tmp) / name, target / name)
    return target / name
