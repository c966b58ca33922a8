"""Where a read by id spends its CPU (issue 22): each step alone, in this process.

    .venv/bin/python benchmarks/graphql_bench.py --data /tmp/gbench --only nothing
        # seeds /tmp/gbench once (11,501 customers), then
    .venv/bin/python benchmarks/graphql_costs.py /tmp/gbench/bench.db [--n 1000]

Copied into another checkout's ``benchmarks/``, it measures that version the same way.
Runs each step ``--n`` times after a warm-up and prints wall and CPU time (process
time: what the step costs whoever else loads the machine) per call:

* the API key lookup (``KeyCache.lookup``), an empty read transaction;
* planning the by-id query (parse and validation cached per query text);
* executing it (one read transaction, its SQL statements, graphql-core);
* REST's ``get_golden`` in a read transaction;
* a thread hop (anyio's pool, the GraphQL route's own pool);
* whole requests through the ASGI app, without a network: ``/healthz`` (the
  middleware floor), ``POST /graphql`` by id, ``GET /api/v1/golden/customer/{id}``.

The statements one by-id query runs are printed first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from graphql_bench import BY_ID, KEY  # noqa: E402


def _line(name: str, n: int, wall: float, cpu: float) -> None:
    print(f"| {name} | {1000 * wall / n:.3f} | {1000 * cpu / n:.3f} |", flush=True)


def timed(name: str, n: int, step: Callable[[], Any]) -> None:
    for _ in range(min(50, n)):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        step()
    _line(name, n, time.perf_counter() - t0, time.process_time() - c0)


async def timed_async(name: str, n: int, step: Callable[[], Awaitable[Any]]) -> None:
    for _ in range(min(50, n)):
        await step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        await step()
    _line(name, n, time.perf_counter() - t0, time.process_time() - c0)


def asgi_call(app: Any, method: str, path: str, body: bytes = b"") -> Callable[[], Awaitable[Any]]:
    headers = [
        (b"host", b"bench"),
        (b"authorization", f"Bearer {KEY}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def call() -> None:
        sent: list[dict[str, Any]] = []
        given = False

        async def receive() -> dict[str, Any]:
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(dict(scope), receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(f"{method} {path}: {sent}")

    return call


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("database", type=Path, help="a database seeded by graphql_bench.py")
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    os.environ["MDM_DATABASE_URL"] = f"sqlite:///{args.database}"
    os.environ["MDM_ADMIN_API_KEY"] = KEY

    import uvloop

    hub = Hub()
    _print_statements(hub)
    n = args.n
    print(f"\nper call, {n} calls, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("| step | wall ms | CPU ms |\n| --- | ---: | ---: |")
    _steps(hub, n)
    uvloop.run(_requests(hub, n))


class Hub:
    """The hub over the seeded database, an admin key, and 400 customers with a parent."""

    def __init__(self) -> None:
        from canonical.commands import CreateApiKey
        from mdm.app import create_app
        from mdm.bootstrap import bootstrap
        from mdm.domain.principal import Principal, expand_roles
        from mdm.graphql.executor import Executor
        from mdm.graphql.schema import build_schema
        from mdm.settings import get_settings

        self.container = container = bootstrap(get_settings())
        container.bus.handle(CreateApiKey("admin", ("admin",), secret=KEY))
        self.app = create_app(container)
        self.ids: list[str] = container.bus.query(
            lambda uow: [
                r[0]
                for r in uow._conn.exec_driver_sql(
                    "SELECT id FROM golden_record WHERE merged_into IS NULL"
                    " AND json_extract(attributes, '$.parent') IS NOT NULL LIMIT 400"
                )
            ]
        )
        self.rng = random.Random(1)
        self.executor = Executor(build_schema().graphql_schema)
        self.admin = Principal("bench", "admin", expand_roles(["admin"]))

    def by_id(self) -> Any:
        return self.executor.run(
            self.container.bus, self.admin, BY_ID, {"id": self.rng.choice(self.ids)}
        )


def _print_statements(hub: Hub) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def seen(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split())[:100])

    event.listen(hub.container.engine, "before_cursor_execute", seen)
    hub.executor.run(hub.container.bus, hub.admin, BY_ID, {"id": hub.ids[0]})
    event.remove(hub.container.engine, "before_cursor_execute", seen)
    print(f"a GraphQL read by id runs {len(statements)} statements:")
    for s in statements:
        print(f"    {s}")


def _steps(hub: Hub, n: int) -> None:
    """The steps of a read, each alone, in this thread."""
    from mdm.http.auth import KeyCache
    from mdm.queries.golden import get_golden

    container, rng, ids = hub.container, hub.rng, hub.ids
    keys = KeyCache(container)
    timed("API key lookup (KeyCache)", n, lambda: keys.lookup(KEY))
    timed("empty read transaction", n, lambda: container.bus.query(lambda uow: None))
    timed("plan by id (cached)", n, lambda: hub.executor.plan(BY_ID, {"id": rng.choice(ids)}))
    timed("execute GraphQL by id", n, hub.by_id)

    def rest() -> Any:
        gid = rng.choice(ids)
        return container.bus.query(
            lambda uow: get_golden(uow, entity_type="customer", golden_id=gid, as_of=None, pii=True)
        )

    timed("REST get_golden", n, rest)


async def _requests(hub: Hub, n: int) -> None:
    """Thread hops and whole requests through the ASGI app."""
    from starlette.concurrency import run_in_threadpool

    try:  # the route's own pool (issue 22); absent from older checkouts
        from mdm.http.threads import ReadThreads
    except ImportError:
        ReadThreads = None  # type: ignore[assignment,misc]

    rng, app = hub.rng, hub.app
    bodies = [json.dumps({"query": BY_ID, "variables": {"id": i}}).encode() for i in hub.ids]
    graphql = [asgi_call(app, "POST", "/graphql", b) for b in bodies]
    golden = [asgi_call(app, "GET", f"/api/v1/golden/customer/{i}") for i in hub.ids]
    health = asgi_call(app, "GET", "/healthz")
    threads = ReadThreads(4) if ReadThreads is not None else None
    await timed_async("thread hop, anyio", n, lambda: run_in_threadpool(lambda: None))
    if threads is not None:
        hop = threads.run
        await timed_async("thread hop, the route's own pool", n, lambda: hop(lambda: None))
    await timed_async("ASGI GET /healthz", n, health)
    await timed_async("ASGI POST /graphql by id", n, lambda: rng.choice(graphql)())
    await timed_async("ASGI GET /api/v1/golden/customer/{id}", n, lambda: rng.choice(golden)())
    if threads is not None:
        threads.close()


if __name__ == "__main__":
    main()
