"""Inbound transactional events from the event stream (the sync side's consumer)."""

from __future__ import annotations

from sync.inbound.intake import intake_message
from sync.inbound.stream import DURABLE, InboundConsumer, Polled

__all__ = ["DURABLE", "InboundConsumer", "Polled", "intake_message"]
