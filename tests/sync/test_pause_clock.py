"""A target's pause is kept on the hub's clock: it ends when the clock passes the window
the target asked for, and a refusal without Retry-After backs off on it, without waiting."""

from __future__ import annotations

from datetime import timedelta

from mdm.clock import ManualClock
from sync.connectors import ErrorCode, RetryableError
from sync.pause import TargetPause


def _pause(clock: ManualClock) -> TargetPause:
    return TargetPause(
        "zendesk", None, backoff_base_s=2.0, backoff_cap_s=60.0, check_s=1.0, clock=clock
    )


def _refusal(retry_after: float | None) -> RetryableError:
    return RetryableError(
        ErrorCode.RATE_LIMITED, "429", retry_after=retry_after, scope="call", status=429
    )


def test_a_retry_after_window_ends_when_the_hubs_clock_passes_it() -> None:
    clock = ManualClock()
    pause = _pause(clock)

    until = pause.refused(_refusal(30.0))

    assert until == clock.now() + timedelta(seconds=30)
    assert (pause.until(), pause.wait_left()) == (until, 30.0)
    clock.advance(29.5)
    assert (pause.until(), pause.wait_left()) == (until, 0.5)
    clock.advance(0.5)
    assert (pause.until(), pause.wait_left()) == (None, 0.0)


def test_refusals_without_retry_after_back_off_doubling_from_the_base() -> None:
    clock = ManualClock()
    pause = _pause(clock)
    windows = []

    for _ in range(3):
        started = clock.now()
        windows.append((pause.refused(_refusal(None)) - started).total_seconds())
        clock.advance(windows[-1])

    assert windows == [2.0, 4.0, 8.0]
    pause.answered()
    assert (pause.refused(_refusal(None)) - clock.now()).total_seconds() == 2.0
