"""Verify consumer pacts against a hub with pact-python's Verifier, and report per interaction.

The Rust core prints its own report on fd 1 and answers a failure with a bare
``RuntimeError``; here fd 1 is silenced around ``verify()`` and the report is built from
``Verifier.results`` (one entry per interaction), joined with what the provider states
and the message producer kept (:class:`~mdm.cli.contracts.provider.Problems`).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
from pact import Verifier

from mdm.cli.contracts.hub import HOST, serve
from mdm.cli.contracts.pacts import PROVIDER, Interaction, PactFile, unknown_states
from mdm.cli.contracts.provider import Problems, produce, state_app
from mdm.cli.contracts.proxy import proxy_app
from mdm.cli.contracts.states import STATES, HubSession

__all__ = ["BrokerSource", "Outcome", "Report", "verify_pacts"]


@dataclass(frozen=True)
class BrokerSource:
    """Verify the broker's pacts for the hub (main branch and deployed consumers) and,
    with ``publish``, publish the results under ``version``."""

    url: str
    version: str
    branch: str | None = None
    token: str | None = None
    username: str | None = None
    password: str | None = None
    publish: bool = True


@dataclass
class Outcome:
    """One interaction's result; a failing *pending* one (a broker's new pact the hub has
    not passed yet) is reported but does not fail the run."""

    consumer: str
    description: str
    ok: bool
    details: list[str] = field(default_factory=list)
    pending: bool = False

    @property
    def fails(self) -> bool:
        return not self.ok and not self.pending


@dataclass
class Report:
    target: str
    outcomes: list[Outcome] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and bool(self.outcomes) and not self.failed

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.fails]

    def render(self) -> str:
        lines = [f"Verifying the consumer pacts of {PROVIDER} against {self.target}"]
        lines += [f"  REFUSED {r}" for r in self.refused]
        for o in self.outcomes:
            mark = "ok  " if o.ok else "FAIL" if o.fails else "pending, failing"
            lines.append(f"  {mark} {o.consumer}: {o.description}")
            lines += [f"         {d}" for d in o.details]
        if self.ok:
            passed = sum(o.ok for o in self.outcomes)
            lines.append(
                f"all {len(self.outcomes)} interactions verified"
                if passed == len(self.outcomes)
                else f"verified: {passed} of {len(self.outcomes)} interactions pass, "
                "the others are pending"
            )
            return "\n".join(lines)
        by_consumer: dict[str, list[str]] = {}
        for o in self.failed:
            by_consumer.setdefault(o.consumer, []).append(o.description)
        lines.append(
            f"VERIFICATION FAILED: {len(self.failed)} of {len(self.outcomes)} interactions"
            + (f", {len(self.refused)} refused before verifying" if self.refused else "")
        )
        lines += [f"  {c}: {'; '.join(d)}" for c, d in sorted(by_consumer.items())]
        return "\n".join(lines)


def _mismatches(result: dict[str, Any]) -> list[str]:
    mismatch = result.get("mismatch") or {}
    if mismatch.get("type") == "error":
        return [f"error: {mismatch.get('message')}"]
    out = []
    for m in mismatch.get("mismatches", []):
        where = m.get("path") or m.get("key") or ""
        out.append(f"{m.get('type')} {where}: {m.get('mismatch') or m.get('description')}".strip())
    return out


def _outcomes(
    results: dict[str, Any],
    interactions: Sequence[Interaction],
    problems: Problems,
    *,
    expect_all: bool,
) -> list[Outcome]:
    """One outcome per verified interaction; with ``expect_all`` an interaction of the
    given pacts that the verifier did not report is a failure too."""
    by_name = {(i.consumer, i.description): i for i in interactions}
    outcomes: list[Outcome] = []
    seen: set[tuple[str, str]] = set()
    for r in results.get("interactionResults", []):
        key = (str(r.get("consumer")), str(r.get("description")))
        seen.add(key)
        outcome = Outcome(*key, ok=r.get("result") == "OK", pending=bool(r.get("pending")))
        interaction = by_name.get(key)
        causes: list[str] = []
        for name, params in interaction.states if interaction else ():
            why = problems.states.get(Problems.key(name, params))
            if why:
                causes.append(f"provider state {name!r} failed: {why}")
        if interaction is not None and interaction.is_message:
            states = [{"name": n, "params": p} for n, p in interaction.states]
            found = problems.messages.get(Problems.message_key(key[1], states), [])
            causes += [f"event: {why}" for why in found]
        if causes:
            outcome.ok = False
        outcome.details = causes + (_mismatches(r) if not outcome.ok else [])
        outcomes.append(outcome)
    missing = [k for k in by_name if k not in seen] if expect_all else []
    outcomes += [Outcome(*key, ok=False, details=["not verified"]) for key in missing]
    return outcomes


@contextmanager
def _silent_stdout() -> Iterator[None]:
    """The Rust core writes its own report to fd 1 and pact-python's message relay logs
    each request to stderr; ours replaces both."""
    sys.stdout.flush()
    saved, sink = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)
    try:
        with redirect_stderr(io.StringIO()):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(sink)
        os.close(saved)


def _verifier(hub: str, key: str, state_url: str, session: HubSession, problems: Problems) -> Any:
    return (
        Verifier(PROVIDER, host=HOST)
        .add_transport(url=hub)
        .add_custom_header("Authorization", f"Bearer {key}")
        .state_handler(f"{state_url}/_pact/state", teardown=True, body=True)
        .message_handler(produce(session, problems))
        .set_coloured_output(enabled=False)
        .set_request_timeout(30_000)
    )


def _add_broker(verifier: Any, broker: BrokerSource) -> None:
    (
        verifier.broker_source(
            broker.url,
            token=broker.token,
            username=broker.username,
            password=broker.password,
            selector=True,
        )
        .consumer_version(main_branch=True)
        .consumer_version(deployed_or_released=True)
        .include_pending()
        .build()
    )
    if broker.publish:
        verifier.set_publish_options(version=broker.version, branch=broker.branch)


def verify_pacts(
    pacts: Sequence[PactFile],
    *,
    hub_url: str,
    admin_key: str,
    reset: Callable[[], None] | None = None,
    broker: BrokerSource | None = None,
    target: str | None = None,
) -> Report:
    """Verify ``pacts`` (or, with ``broker``, the broker's pacts for the hub) against the
    hub at ``hub_url``; ``reset`` empties it before each provider state."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    report = Report(target or hub_url)
    for consumer, description, state in unknown_states(pacts, STATES):
        report.refused.append(
            f"{consumer}: {description}: the hub offers no provider state {state!r} "
            "(contracts/README.md lists the states)"
        )
    if report.refused:
        return report
    headers = {"Authorization": f"Bearer {admin_key}"}
    with httpx.Client(base_url=hub_url, headers=headers, timeout=30) as client:
        session, problems = HubSession(client, reset=reset), Problems()
        with _local(hub_url) as local_hub, serve(state_app(session, problems)) as state_url:
            verifier = _verifier(local_hub, admin_key, state_url, session, problems)
            if broker is not None:
                _add_broker(verifier, broker)
            for pact in pacts if broker is None else ():
                verifier.add_source(str(pact.path))
            with _silent_stdout(), suppress(RuntimeError):
                verifier.verify()
            interactions = [i for p in pacts for i in p.interactions]
            report.outcomes = _outcomes(
                verifier.results, interactions, problems, expect_all=broker is None
            )
    return report


@contextmanager
def _local(hub_url: str) -> Iterator[str]:
    """The verifier reaches the hub and its own message relay on one host, so a hub
    elsewhere is verified through a local forwarding proxy."""
    if httpx.URL(hub_url).host == HOST:
        yield hub_url
        return
    with serve(proxy_app(hub_url)) as url:
        yield url
