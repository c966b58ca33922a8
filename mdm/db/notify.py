"""PostgreSQL notifications to every process: one listener thread per database and channel.

Writers send ``NOTIFY channel`` inside their transaction (PostgreSQL delivers it at
commit); each process that caches something derived from the database subscribes and
drops its cache on every notification. While the listener is not connected,
:meth:`Subscription.live` is False and subscribers must not trust their cache (it is
also emptied whenever the connection is lost or made).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import Engine

__all__ = ["Subscription", "subscribe"]

log = logging.getLogger(__name__)

_LISTENERS: dict[tuple[str, str], _Listener] = {}
_LOCK = threading.Lock()


class _Listener:
    def __init__(self, url: str, channel: str) -> None:
        self._url, self._channel = url, channel
        self._callbacks: list[weakref.WeakMethod[Callable[[], None]]] = []
        self._lock = threading.Lock()
        self.live = threading.Event()
        thread = threading.Thread(target=self._run, name=f"listen-{channel}", daemon=True)
        thread.start()

    def add(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(weakref.WeakMethod(callback))

    def _fire(self) -> None:
        with self._lock:
            alive = [(ref, ref()) for ref in self._callbacks]
            self._callbacks = [ref for ref, fn in alive if fn is not None]
        for _, fn in alive:
            if fn is not None:
                fn()

    def _run(self) -> None:
        delay, warned = 0.5, False
        while True:
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {self._channel}")
                    self._fire()  # anything cached before listening is suspect
                    self.live.set()
                    delay, warned = 0.5, False
                    while True:
                        for _ in conn.notifies(timeout=1.0):
                            self._fire()
            except psycopg.Error as exc:
                if not warned:
                    log.warning("no %s listener (%s); retrying", self._channel, exc)
                    warned = True
            finally:
                self.live.clear()
                self._fire()
            threading.Event().wait(delay)
            delay = min(delay * 2, 30.0)


class Subscription:
    def __init__(self, listener: _Listener) -> None:
        self._listener = listener

    def live(self) -> bool:
        return self._listener.live.is_set()

    def wait_live(self, timeout: float) -> bool:
        return self._listener.live.wait(timeout)


def subscribe(engine: Engine, channel: str, callback: Callable[[], None]) -> Subscription:
    """Call ``callback`` (a bound method; held weakly) on every notification on ``channel``
    of the engine's database, from this process's one listener for it."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _LOCK:
        listener = _LISTENERS.get((url, channel))
        if listener is None:
            listener = _LISTENERS[(url, channel)] = _Listener(url, channel)
    listener.add(callback)
    return Subscription(listener)
