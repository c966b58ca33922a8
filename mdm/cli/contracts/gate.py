"""``can-i-deploy``: may these proposed schemas and match settings go out?

Two questions, both answered on a scratch hub:

1. the registry's own check: is each proposed schema compatible with the registered
   versions under its subject's mode, and are the golden event revisions it derives
   compatible under theirs (exactly what ``POST /api/v1/schemas/{entity}`` would answer);
2. the consumers' contracts: with the proposals in force (each registered in the scratch
   hub even if the check refused it, so the report can say *which* consumers it would
   break; proposed match settings replace the shipped ones), does every pact verify?

Either "no" refuses. A schema file *differs from the registered one* when its
fingerprint (SHA-256 of its canonical JSON) is not among the fingerprints registered for
its entity type in a freshly migrated hub, which holds the shipped, seeded versions.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from canonical.commands import RegisterSchema, SetSchemaMode
from canonical.errors import DomainError
from canonical.registry import fingerprint
from canonical.schemas import ENTITY_TYPES
from contracts.events import GOLDEN_CHANGES, golden_event_type
from matching.settings import MatchSettings, SettingsError, load_settings
from mdm.bootstrap import Container
from mdm.cli.contracts.hub import scratch_hub
from mdm.cli.contracts.pacts import PactFile
from mdm.cli.contracts.verify import BrokerSource, Report, verify_pacts
from mdm.db.engine import make_engine
from mdm.db.migrate import upgrade
from mdm.db.uow import UnitOfWork, run_in_transaction
from mdm.queries.schemas import check_schema

__all__ = ["Verdict", "can_i_deploy", "changed_schemas", "parse_schema_args"]

_FILE = re.compile(r"^(?P<entity>[a-z_]+)\.v[1-9][0-9]*\.json$")


def parse_schema_args(values: Sequence[str]) -> list[tuple[str, Path]]:
    """``["customer=path.json", ...]`` as pairs; ValueError names a malformed one."""
    pairs = []
    for value in values:
        entity, sep, path = value.partition("=")
        if not sep or not entity or not path:
            raise ValueError(f"--schema takes ENTITY=FILE; got {value!r}")
        pairs.append((entity.strip(), Path(path)))
    return pairs


def changed_schemas(directory: Path) -> list[tuple[str, Path]]:
    """Every ``<entity>.v<N>.json`` in ``directory`` whose document is not registered for
    its entity type in a freshly migrated hub, in version order."""
    candidates = []
    for path in sorted(directory.glob("*.v*.json"), key=lambda p: (p.name.split(".v")[0], _n(p))):
        found = _FILE.match(path.name)
        if found and found["entity"] in ENTITY_TYPES:
            candidates.append((found["entity"], path))
    if not candidates:
        return []
    with tempfile.TemporaryDirectory(prefix="mdm-registry-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'registry.db'}")
        try:
            upgrade(engine)
            registered = run_in_transaction(
                engine,
                lambda uow: {e: {f for _, f, _ in uow.registry.documents(e)} for e in ENTITY_TYPES},
            )
        finally:
            engine.dispose()
    return [
        (entity, path)
        for entity, path in candidates
        if fingerprint(json.loads(path.read_text(encoding="utf-8"))) not in registered[entity]
    ]


def _n(path: Path) -> int:
    digits = path.name.split(".v")[-1].removesuffix(".json")
    return int(digits) if digits.isdigit() else 0


@dataclass
class Verdict:
    checks: list[tuple[str, Path, dict[str, Any]]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    report: Report | None = None
    usage_error: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.usage_error is None
            and not self.refusals
            and self.report is not None
            and self.report.ok
        )

    def render(self) -> str:
        if self.usage_error:
            return f"error: {self.usage_error}"
        lines = []
        for entity, path, out in self.checks:
            verdict = "compatible" if out["compatible"] else "INCOMPATIBLE"
            lines.append(f"schema {entity} from {path}: {verdict} ({out['mode']})")
            for i in out["incompatibilities"]:
                lines.append(
                    f"  {i['subject']}: {i['rule']} at {i['pointer'] or '(root)'} "
                    f"(against version {i['against_version']}): {i['message']}"
                )
        lines += [f"REFUSED {r}" for r in self.refusals]
        if self.report is not None:
            lines.append(self.report.render())
        lines.append("can-i-deploy: yes" if self.ok else "can-i-deploy: NO")
        return "\n".join(lines)


def _read(proposals: Sequence[tuple[str, Path]], settings_files: Sequence[Path]) -> Any:
    documents = []
    for entity, path in proposals:
        try:
            documents.append((entity, path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from None
    settings: list[MatchSettings] = []
    for path in settings_files:
        try:
            settings.append(load_settings(path.read_text(encoding="utf-8")))
        except (OSError, SettingsError) as exc:
            raise ValueError(f"{path}: {exc}") from None
    return documents, settings


def _check(entity: str, document: Any, uow: UnitOfWork) -> dict[str, Any]:
    return check_schema(uow, entity, document)


def _force(container: Container, entity: str, document: Any) -> None:
    """Register ``document`` in the scratch hub whatever the modes say (mode NONE for the
    registration, then the modes as they were)."""
    subjects = [entity, *(golden_event_type(entity, c) for c in GOLDEN_CHANGES)]
    for s in subjects:
        container.bus.handle(SetSchemaMode(s, "NONE", "can-i-deploy"))
    try:
        container.bus.handle(RegisterSchema(entity, document, "can-i-deploy"))
    finally:
        for s in subjects:
            container.bus.handle(SetSchemaMode(s, None, "can-i-deploy"))


def can_i_deploy(
    proposals: Sequence[tuple[str, Path]],
    match_settings: Sequence[Path],
    pacts: Sequence[PactFile],
    *,
    broker: BrokerSource | None = None,
) -> Verdict:
    """The verdict on the proposals; with ``broker`` the broker's pacts for the hub are
    verified (and no result is published: a proposal is not a provider version)."""
    verdict = Verdict()
    try:
        documents, settings = _read(proposals, match_settings)
    except ValueError as exc:
        verdict.usage_error = str(exc)
        return verdict
    with scratch_hub(match_settings=settings) as hub:
        bus = hub.container.bus
        for entity, path, document in documents:
            try:
                out = bus.query(partial(_check, entity, document))
            except DomainError as exc:
                details = "; ".join(f"{e.code} at {e.pointer}: {e.message}" for e in exc.errors)
                verdict.refusals.append(f"schema {entity} from {path}: {exc.message} {details}")
                continue
            verdict.checks.append((entity, path, out))
            if not out["compatible"]:
                verdict.refusals.append(f"schema {entity} from {path} is not compatible")
            _force(hub.container, entity, document)
        what = [f"{e}={p}" for e, p, _ in documents] + [str(p) for p in match_settings]
        verdict.report = verify_pacts(
            pacts,
            hub_url=hub.url,
            admin_key=hub.admin_key,
            reset=hub.reset,
            broker=replace(broker, publish=False) if broker else None,
            target=f"a scratch hub with {', '.join(what)}",
        )
    return verdict
