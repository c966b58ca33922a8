"""Transactional events in the hub: intake (dedup, staleness, linking), parked events
linking when their customer appears, events following merges, and the collections
branch. The pure rules are in :mod:`canonical.transactional`."""

from __future__ import annotations

from mdm.domain.transactional.intake import EventResult, record_events

__all__ = ["EventResult", "record_events"]
