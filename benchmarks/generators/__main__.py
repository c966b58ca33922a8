"""``python -m benchmarks.generators DIR [NAME ...]``: write data sets (all by default) into DIR."""

from __future__ import annotations

import sys
from pathlib import Path

from . import DATASETS, ensure

if __name__ == "__main__":
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/bench-data")
    for name in sys.argv[2:] or list(DATASETS):
        path, truth = ensure(name, directory)
        print(f"{path} ({truth.name})", flush=True)
