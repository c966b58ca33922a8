"""The event stream (NATS JetStream): outbox events out, sources' transactional events in.

- :class:`EventPublisher` publishes outbox rows for the relay (CloudEvents JSON, one
  subject per entity type and change, ``Nats-Msg-Id`` = event id);
- :class:`EventConsumer` reads a durable pull consumer for the inbound intake, at
  least once;
- :mod:`sync.stream.subjects` names the subjects; ``contracts/asyncapi.yaml`` documents
  them with their payloads.
"""

from sync.stream.consumer import (
    ACK,
    EventConsumer,
    Handler,
    InboundMessage,
    Outcome,
    PollResult,
    Verdict,
    reject,
    retry_later,
)
from sync.stream.errors import ConsumeError, PublishError, StreamError
from sync.stream.publisher import CONTENT_TYPE, EventPublisher
from sync.stream.settings import StreamSettings, get_stream_settings
from sync.stream.subjects import (
    UnroutableEventError,
    inbound_filter,
    inbound_source,
    inbound_subject,
    subject_for,
)

__all__ = [
    "ACK",
    "CONTENT_TYPE",
    "ConsumeError",
    "EventConsumer",
    "EventPublisher",
    "Handler",
    "InboundMessage",
    "Outcome",
    "PollResult",
    "PublishError",
    "StreamError",
    "StreamSettings",
    "UnroutableEventError",
    "Verdict",
    "get_stream_settings",
    "inbound_filter",
    "inbound_source",
    "inbound_subject",
    "reject",
    "retry_later",
    "subject_for",
]
