"""Webhook signatures the hub verifies: Standard Webhooks and Stripe's.

**Standard Webhooks** (https://www.standardwebhooks.com, spec 1.0): headers
``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``, a
space-separated list of ``<version>,<signature>``; a ``v1`` signature is the base64
HMAC-SHA256 of ``<webhook-id>.<webhook-timestamp>.<raw body>`` keyed with the secret,
which is ``whsec_`` followed by the base64 of the key bytes. Other versions (``v1a``,
asymmetric) are ignored; one matching ``v1`` is enough (senders list several while
they rotate their secret).

**Stripe** (https://docs.stripe.com/webhooks#verify-manually): header
``Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>,v0=...``; a ``v1`` is the hex
HMAC-SHA256 of ``<t>.<raw body>`` keyed with the endpoint secret as given (``whsec_...``,
not decoded). During a secret roll Stripe sends a ``v1`` for the old secret and one for
the new; any one matching is enough; ``v0`` and other schemes are ignored.

Both: the timestamp must be within ``tolerance_s`` (300) of now, either way, so a
captured request cannot be replayed later; every comparison is constant-time
(``hmac.compare_digest``). Several of our own secrets may be given (the current one
and, for a while after an admin replaced it, the previous one).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence

__all__ = [
    "SCHEMES",
    "TOLERANCE_S",
    "SignatureError",
    "check_secret",
    "sign_standard",
    "sign_stripe",
    "verify_standard",
    "verify_stripe",
]

SCHEMES = ("standard-webhooks", "stripe")
TOLERANCE_S = 300
_PREFIX = "whsec_"


class SignatureError(ValueError):
    """Why a signed request is refused; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(_PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("bad_secret", "the secret is not whsec_ + base64") from exc


def check_secret(scheme: str, secret: str) -> str | None:
    """Why ``secret`` cannot serve ``scheme`` (None when it can)."""
    if scheme not in SCHEMES:
        return f"scheme must be one of {', '.join(SCHEMES)}"
    if not secret.startswith(_PREFIX):
        return "a webhook secret starts with 'whsec_'"
    if scheme == "stripe":
        return None if len(secret) >= 16 else "too short for a Stripe signing secret"
    try:
        key = _key(secret)
    except SignatureError as exc:
        return exc.message
    return None if 24 <= len(key) <= 64 else "the key must be 24 to 64 bytes (base64 after whsec_)"


def _timestamp(text: str | None, now: float, tolerance_s: float) -> int:
    if not text or not text.strip().isdigit():
        raise SignatureError("bad_timestamp", "the signature timestamp is not Unix seconds")
    stamp = int(text.strip())
    if abs(now - stamp) > tolerance_s:
        raise SignatureError(
            "stale_timestamp", f"the signature timestamp is more than {tolerance_s:.0f} s off"
        )
    return stamp


def sign_standard(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """A ``webhook-signature`` value (``v1,<base64>``) for a sender, or a test."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_standard(
    secrets: Sequence[str],
    *,
    msg_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> None:
    """Raise :class:`SignatureError` unless one ``v1`` signature matches one secret."""
    if not msg_id or not signature:
        raise SignatureError(
            "missing_signature", "send webhook-id, webhook-timestamp and webhook-signature"
        )
    stamp = _timestamp(timestamp, now, tolerance_s)
    given = [
        value.encode()
        for version, _, value in (part.partition(",") for part in signature.split())
        if version == "v1" and value
    ]
    for secret in secrets:
        expected = sign_standard(secret, msg_id, stamp, body).partition(",")[2].encode()
        if any(hmac.compare_digest(expected, sig) for sig in given):
            return
    raise SignatureError("bad_signature", "no webhook-signature matches this source's secret")


def sign_stripe(secret: str, timestamp: int, body: bytes) -> str:
    """A ``Stripe-Signature`` value as Stripe sends it (for tests and benchmarks)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_stripe(
    secrets: Sequence[str],
    *,
    header: str | None,
    body: bytes,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> None:
    """Raise :class:`SignatureError` unless one ``v1`` of ``header`` matches one secret."""
    if not header:
        raise SignatureError("missing_signature", "send the Stripe-Signature header")
    pairs = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in pairs if key == "t"]
    given = [value.encode() for key, _, value in pairs if key == "v1" and value]
    if len(stamps) != 1 or not given:
        raise SignatureError("missing_signature", "Stripe-Signature needs t= and v1=")
    stamp = _timestamp(stamps[0], now, tolerance_s)
    for secret in secrets:
        expected = sign_stripe(secret, stamp, body).rpartition("v1=")[2].encode()
        if any(hmac.compare_digest(expected, sig) for sig in given):
            return
    raise SignatureError("bad_signature", "no v1 signature matches this source's secret")
