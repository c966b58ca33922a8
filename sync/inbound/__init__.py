"""Inbound transactional events from the event stream (the sync side's consumer)."""

from __future__ import annotations

from sync.inbound.intake import ACK, Verdict, intake_message, reject, retry_later
from sync.inbound.stream import DURABLE, InboundConsumer, Polled

__all__ = [
    "ACK",
    "DURABLE",
    "InboundConsumer",
    "Polled",
    "Verdict",
    "intake_message",
    "reject",
    "retry_later",
]
