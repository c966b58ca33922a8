"""What sources send the hub: webhook signature schemes and providers' event shapes mapped
to canonical transactional events. Pure: nothing here talks to a network or a database."""

from __future__ import annotations

from contracts.inbound.signatures import (
    SCHEMES,
    TOLERANCE_S,
    SignatureError,
    check_secret,
    sign_standard,
    sign_stripe,
    verify_standard,
    verify_stripe,
)
from contracts.inbound.stripe import MAPPED_TYPES, StripeEventError, canonical_events

__all__ = [
    "MAPPED_TYPES",
    "SCHEMES",
    "TOLERANCE_S",
    "SignatureError",
    "StripeEventError",
    "canonical_events",
    "check_secret",
    "sign_standard",
    "sign_stripe",
    "verify_standard",
    "verify_stripe",
]
