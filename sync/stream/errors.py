"""The errors the stream adapters raise; every NATS error is mapped to one of these here."""

from __future__ import annotations

__all__ = ["ConsumeError", "PublishError", "StreamError"]


class StreamError(Exception):
    """The event stream could not do what was asked."""


class PublishError(StreamError):
    """A batch was only partly published.

    ``acked`` events at the head of the batch are stored in the stream, in order (the
    relay may advance its position past them); the event ``event_id`` and every one
    after it must be published again. Republishing is safe: the server drops a message
    whose ``Nats-Msg-Id`` it stored within the duplicate window. ``permanent`` is True
    when publishing that event again cannot succeed as it is (an event type that maps
    to no subject, a payload over the server's limit, a stream that refuses it).
    """

    def __init__(self, message: str, *, acked: int, event_id: str | None, permanent: bool) -> None:
        super().__init__(message)
        self.acked = acked
        self.event_id = event_id
        self.permanent = permanent


class ConsumeError(StreamError):
    """Messages could not be fetched or settled (connection lost, consumer missing)."""
