"""What the four stand-ins share: routing, fault injection, request log, control endpoints.

A stand-in is a plain ASGI app. Before its API handler runs, an injected fault may answer
instead (``status``: a 500/503/429... in the API's documented error shape, with or without
Retry-After) or hold the request until the test calls ``release()`` (``hold``); after the
handler ran (the change is applied), ``slow`` delays the answer by ``delay`` seconds and
``lost_answer`` throws it away: the connection is cut mid-body (``how="drop"``) or a gateway
answers 502 (``how="502"``). Faults are consumed in order, ``times`` each, and can be narrowed
to a method and a path substring, and let ``after`` matching requests pass first;
``record_error`` faults fail one record of a Salesforce upsert (``external_id``, ``code``,
``message``). A ``status`` fault with ``window`` set refuses, as a rate-limited API does, every
request that arrives before its ``Retry-After`` (seconds or an HTTP date) has passed, with the
same error and the time left.

Every request is logged with its arrival time (``at``, seconds since the epoch) and, once
answered, the answer's ``status`` and ``answered_at``: a test can count what arrived inside
a window the stand-in asked the caller to wait.

Control endpoints under ``/_standin/`` let another process inspect and steer a stand-in
served with ``python -m tests.standins``: ``GET counts|records|requests|health``,
``POST faults`` (a Fault as JSON) and ``POST reset``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response

__all__ = ["Fault", "Req", "Route", "StandIn", "json_response"]

FaultKind = Literal["status", "lost_answer", "slow", "hold", "record_error"]


@dataclass
class Fault:
    kind: FaultKind
    status: int = 500
    retry_after: str | None = None
    code: str | None = None
    message: str | None = None
    delay: float = 0.0
    times: int = 1
    method: str | None = None
    path: str | None = None
    external_id: str | None = None
    how: Literal["drop", "502"] = "drop"
    after: int = 0
    window: bool = False

    def wait_s(self, now: float) -> float:
        """Seconds ``retry_after`` asks the caller to wait from ``now`` (0 without one)."""
        if self.retry_after is None:
            return 0.0
        try:
            return max(0.0, float(self.retry_after))
        except ValueError:
            when = email.utils.parsedate_to_datetime(self.retry_after)
            return max(0.0, when.timestamp() - now)

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path in path
        )


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    groups: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)


Handler = Callable[[Req], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


class StandIn:
    """Base of the stand-ins: subclasses add routes, auth, error shapes and record storage."""

    kind = "standin"

    def __init__(self, *, token: str = "test-token", instant: bool = False) -> None:
        self.token = token
        self.instant = instant
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.requests: deque[dict[str, Any]] = deque(maxlen=0 if instant else 5000)
        self.in_flight = 0
        self.max_in_flight = 0
        self.released = threading.Event()
        self.routes: list[Route] = []
        # (the refusal, until when in seconds since the epoch) of a ``window`` fault
        self.window: tuple[Fault, float] | None = None

    # subclass hooks ---------------------------------------------------------------
    def authorized(self, req: Req) -> bool:
        return req.headers.get("authorization") == f"Bearer {self.token}"

    def unauthorized(self) -> Response:
        return json_response({"error": "unauthorized"}, 401)

    def error(self, fault: Fault) -> Response:
        return json_response({"error": fault.code or "error"}, fault.status)

    def refuse(self, req: Req) -> Response | None:
        """A whole-request refusal the API itself makes (NetSuite's concurrency limit)."""
        return None

    def external_ids(self) -> Iterable[str]:
        return ()

    def records(self) -> list[dict[str, Any]]:
        return []

    def clear(self) -> None: ...

    # inspection and steering --------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append(Route(method, re.compile(f"^{pattern}$"), handler))

    def inject(self, kind: FaultKind, **options: Any) -> Fault:
        if self.instant:
            raise RuntimeError("an instant stand-in injects no faults")
        fault = Fault(kind, **options)
        with self.lock:
            self.faults.append(fault)
        if kind == "hold":
            self.released.clear()
        return fault

    def counts(self) -> dict[str, int]:
        """How many live records carry each external id (more than 1 is a duplicate)."""
        with self.lock:
            return dict(Counter(self.external_ids()))

    def duplicates(self) -> dict[str, int]:
        return {k: n for k, n in self.counts().items() if n > 1}

    def release(self) -> None:
        """Let every request a ``hold`` fault is holding go on."""
        self.released.set()

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.requests.clear()
            self.window = None
            self.clear()
        self.released.clear()

    def take_fault(self, method: str, path: str, kinds: tuple[str, ...]) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind in kinds and fault.times > 0 and fault.matches(method, path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record_fault(self, external_id: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == "record_error" and fault.external_id in (None, external_id):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # ASGI ------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        req = await _read(scope, receive)
        if req is None:
            return
        arrived = time.time()
        if req.path.startswith("/_standin/"):
            await (await self._control(req))(scope, receive, send)
            return
        entry = {
            "method": req.method,
            "path": req.path,
            "query": req.query,
            "headers": req.headers,
            "body": req.body.decode(errors="replace"),
            "at": arrived,
        }
        with self.lock:
            self.requests.append(entry)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

        async def answer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry["status"], entry["answered_at"] = message["status"], time.time()
            await send(message)

        try:
            await self._serve(req, scope, receive, send if self.instant else answer)
        finally:
            with self.lock:
                self.in_flight -= 1

    async def _serve(self, req: Req, scope: dict[str, Any], receive: Any, send: Any) -> None:
        refused = self.refuse(req)
        if refused is not None:
            await refused(scope, receive, send)
            return
        refusal = self._in_window()
        early = refusal or self.take_fault(req.method, req.path, ("status", "hold"))
        if early is not None and early.kind == "status":
            response = self.error(early)
            if early.retry_after is not None:
                response.headers["Retry-After"] = early.retry_after
            if early.window and refusal is None:
                now = time.time()
                with self.lock:
                    self.window = (early, now + early.wait_s(now))
            await response(scope, receive, send)
            return
        if early is not None:
            while not self.released.is_set():
                await asyncio.sleep(0.005)
        response = await self.dispatch(req)
        late = self.take_fault(req.method, req.path, ("lost_answer", "slow"))
        if late is not None and late.kind == "slow":
            await asyncio.sleep(late.delay)
        elif late is not None and late.how == "502":
            response = Response("Bad Gateway", status_code=502)
        elif late is not None:
            await _cut(send)
            return
        await response(scope, receive, send)

    def _in_window(self) -> Fault | None:
        """The refusal of a request that arrived inside an open window, with the time left."""
        with self.lock:
            if self.window is None:
                return None
            fault, until = self.window
            left = until - time.time()
            if left <= 0:
                self.window = None
                return None
        return Fault(
            "status",
            status=fault.status,
            code=fault.code,
            message=fault.message,
            retry_after=str(max(1, math.ceil(left))),
        )

    async def dispatch(self, req: Req) -> Response:
        if not self.authorized(req):
            return self.unauthorized()
        for route in self.routes:
            match = route.pattern.match(req.path)
            if match and route.method == req.method:
                req.groups = {k: v for k, v in match.groupdict().items() if v is not None}
                return await route.handler(req)
        return self.not_found(req)

    def not_found(self, req: Req) -> Response:
        return json_response({"error": f"no route {req.method} {req.path}"}, 404)

    async def _control(self, req: Req) -> Response:
        name = req.path.removeprefix("/_standin/")
        if name == "health":
            return json_response({"kind": self.kind, "instant": self.instant})
        if name == "counts":
            counts = self.counts()
            duplicates = {k: n for k, n in counts.items() if n > 1}
            return json_response(
                {"counts": counts, "duplicates": duplicates, "total": sum(counts.values())}
            )
        if name == "records":
            with self.lock:
                return json_response(self.records())
        if name == "requests":
            with self.lock:
                return json_response(list(self.requests))
        if name == "reset" and req.method == "POST":
            self.reset()
            return Response(status_code=204)
        if name == "release" and req.method == "POST":
            self.release()
            return Response(status_code=204)
        if name == "faults" and req.method == "POST":
            allowed = {f.name for f in fields(Fault)}
            try:
                fault = self.inject(**{k: v for k, v in req.json().items() if k in allowed})
            except (RuntimeError, TypeError) as exc:
                return json_response({"error": str(exc)}, 409)
            return json_response(asdict(fault), 201)
        return json_response({"error": f"no control endpoint {name}"}, 404)


async def _read(scope: dict[str, Any], receive: Any) -> Req | None:
    """The whole request, or None when the client went away before its body was complete.

    A real API never acts on half a request: a caller killed between writing the headers and
    the body must not create a record from an empty form."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
    return Req(scope["method"], scope["path"], query, headers, b"".join(chunks))


async def _cut(send: Any) -> None:
    """Start an answer and stop halfway: the server closes the connection on a short body."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"id": ', "more_body": True})
