"""What every connector shares about HTTP: the client, and the transport-failure boundary.

``HttpClient.send`` is the only place an httpx exception is caught; it becomes a
RetryableError whose code says whether the request can have reached the target
(``no_answer``, ``timeout``) or certainly did not (``connect_failed``). Each connector maps
the HTTP *answers* of its API in one function of its own, falling back on
``default_error`` for statuses its API gives no special meaning.

Without an injected transport the client connects only where the address policy allows
(:mod:`sync.connectors.egress`, ``MDM_SYNC_ALLOWED_NETWORKS``); a refused address is a
PermanentError of the whole target (``address_refused``): sending again cannot help until
the target or the setting changes, and nothing was sent.

Inside ``with paused_by(wait_left):`` (the dispatcher, around each call of a batch) every
request first asks ``wait_left()`` how long the target's pause has still to run, and is not
sent while it is more than 0: a RetryableError of the whole target (``held``). A connector
that makes several requests for one record (Stripe's search, create and update) so stops
between two of them as soon as another thread's request was refused. A context variable
rather than a constructor argument, so every connector honours it without knowing of it.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx

from sync.connectors.base import (
    DeliveryError,
    ErrorCode,
    OutboundRecord,
    PermanentError,
    PushResult,
    RetryableError,
    TargetConfig,
)
from sync.connectors.egress import AddressRefused, GuardedBackend, GuardedTransport
from sync.connectors.lean import LeanSender
from sync.connectors.settings import get_sync_settings

__all__ = [
    "HttpClient",
    "correlation_header",
    "default_error",
    "json_body",
    "paused_by",
    "push_each",
    "retry_after",
    "settle",
    "target_error",
]

USER_AGENT = "golden-record-hub/0.1 (sync connector)"
_MAX_CORRELATION_IDS = 20
_WAIT_LEFT: ContextVar[Callable[[], float] | None] = ContextVar("sync_wait_left", default=None)


@contextmanager
def paused_by(wait_left: Callable[[], float]) -> Iterator[None]:
    """Send no request in this block (this thread) while ``wait_left()`` is above 0."""
    token = _WAIT_LEFT.set(wait_left)
    try:
        yield
    finally:
        _WAIT_LEFT.reset(token)


def _held(method: str, url: str) -> RetryableError | None:
    wait_left = _WAIT_LEFT.get()
    left = wait_left() if wait_left is not None else 0.0
    if left <= 0:
        return None
    return RetryableError(
        ErrorCode.HELD,
        f"{method} {url}: not sent, the target asked for a pause ({left:.1f}s left)",
        retry_after=left,
        scope="target",
    )


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def json_body(response: httpx.Response) -> Any:
    """The parsed JSON answer, or None when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def correlation_header(records: Iterable[OutboundRecord]) -> str | None:
    """The records' distinct correlation ids as one header value (a list, in order)."""
    seen: dict[str, None] = {}
    for record in records:
        if record.correlation_id:
            seen.setdefault(record.correlation_id, None)
    ids = list(seen)[:_MAX_CORRELATION_IDS]
    return ", ".join(ids) or None


def default_error(response: httpx.Response, message: str | None = None) -> DeliveryError:
    """The meaning HTTP itself gives a status, for answers an API adds nothing to."""
    status = response.status_code
    text = message or f"{response.request.method} {response.request.url.path} answered {status}"
    wait = retry_after(response)
    if status == 429:
        return RetryableError(
            ErrorCode.RATE_LIMITED, text, retry_after=wait, scope="target", status=status
        )
    if status == 503:
        return RetryableError(
            ErrorCode.UNAVAILABLE, text, retry_after=wait, scope="target", status=status
        )
    if status in (502, 504):
        return RetryableError(
            ErrorCode.NO_ANSWER,
            f"{text}: a gateway lost the answer; the change may be applied",
            retry_after=wait,
            status=status,
        )
    if status >= 500:
        return RetryableError(ErrorCode.SERVER_ERROR, text, retry_after=wait, status=status)
    if status == 408:
        return RetryableError(ErrorCode.TIMEOUT, text, status=status)
    if status == 401:
        return RetryableError(ErrorCode.UNAUTHORIZED, text, scope="target", status=status)
    if status == 403:
        return PermanentError(ErrorCode.FORBIDDEN, text, status=status)
    if status == 404:
        return PermanentError(ErrorCode.NOT_FOUND, text, status=status)
    if status == 409:
        return RetryableError(ErrorCode.LOCKED, text, retry_after=wait, status=status)
    return PermanentError(ErrorCode.INVALID, text, status=status)


def settle(
    records: Sequence[OutboundRecord], outcomes: Sequence[PushResult | DeliveryError]
) -> list[PushResult]:
    """Turn per-record outcomes into results; raise when one error failed every record."""
    errors = [o for o in outcomes if isinstance(o, DeliveryError)]
    if outcomes and len(errors) == len(outcomes) and all(e is errors[0] for e in errors):
        raise errors[0]
    return [
        o if isinstance(o, PushResult) else PushResult(r.golden_id, error=o)
        for r, o in zip(records, outcomes, strict=True)
    ]


def target_error(outcomes: Iterable[PushResult | DeliveryError | None]) -> DeliveryError | None:
    """The first target-wide error among ``outcomes``: after it, nothing more is sent."""
    for outcome in outcomes:
        if isinstance(outcome, DeliveryError) and outcome.scope == "target":
            return outcome
    return None


def push_each(
    records: Sequence[OutboundRecord], operation: Callable[[OutboundRecord], PushResult]
) -> list[PushResult]:
    """Push records one call at a time; after a target-wide error the rest are not tried."""
    outcomes: list[PushResult | DeliveryError] = []
    for record in records:
        paused = target_error(outcomes[-1:])
        if paused is not None:
            outcomes.append(paused)
            continue
        try:
            outcomes.append(operation(record))
        except DeliveryError as exc:
            outcomes.append(exc)
    return settle(records, outcomes)


class HttpClient:
    """A synchronous client for one target, with the transport-failure boundary.

    Without an injected transport, requests go through :class:`~sync.connectors.lean.LeanSender`
    (the standard library's client, a keep-alive connection per sending thread, a quarter of
    httpx's CPU a request), those it cannot take through httpx; an injected transport (tests)
    takes every request."""

    def __init__(
        self,
        config: TargetConfig,
        *,
        headers: Mapping[str, str],
        transport: httpx.BaseTransport | None,
        timeout: float,
    ) -> None:
        self.correlate = bool(config.options.get("correlation_header", True))
        every = {"User-Agent": USER_AGENT, "Accept": "application/json", **headers}
        self._lean: LeanSender | None = None
        if transport is None:
            networks = get_sync_settings().networks
            transport = GuardedTransport(networks)
            self._lean = LeanSender(
                config.base_url,
                headers=every,
                timeout=timeout,
                backend=GuardedBackend(networks),
            )
        self._client = httpx.Client(
            base_url=config.base_url,
            headers=every,
            transport=transport,
            timeout=httpx.Timeout(timeout),
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        records: Iterable[OutboundRecord] = (),
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        held = _held(method, url)
        if held is not None:
            raise held
        sent = dict(headers or {})
        correlation = correlation_header(records) if self.correlate else None
        if correlation:
            sent["X-Correlation-ID"] = correlation
        try:
            if self._lean is not None and self._lean.takes(url, kwargs):
                return self._lean.request(method, url, headers=sent, **kwargs)
            return self._client.request(method, url, headers=sent, **kwargs)
        except AddressRefused as exc:
            raise PermanentError(
                ErrorCode.ADDRESS_REFUSED, f"{method} {url}: {exc}", scope="target"
            ) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise RetryableError(
                ErrorCode.CONNECT_FAILED, f"{method} {url}: could not connect ({exc})"
            ) from exc
        except httpx.TimeoutException as exc:
            raise RetryableError(
                ErrorCode.TIMEOUT, f"{method} {url}: no answer in time; the change may be applied"
            ) from exc
        except httpx.TransportError as exc:
            raise RetryableError(
                ErrorCode.NO_ANSWER,
                f"{method} {url}: the answer was lost ({type(exc).__name__}); "
                "the change may be applied",
            ) from exc

    def close(self) -> None:
        if self._lean is not None:
            self._lean.close()
        self._client.close()
