"""Use case: set the scheme and secret a source signs its webhooks with (admin)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from canonical.commands import PutWebhookSecret
from canonical.errors import FieldError, InvalidInput, UnknownSource
from canonical.timestamps import iso
from contracts.inbound import check_secret
from mdm.db.uow import UnitOfWork
from mdm.domain.secrets import Sealer

__all__ = ["ROTATION_GRACE", "handle"]

# how long the secret replaced last still verifies, so a sender can switch over
ROTATION_GRACE = timedelta(hours=24)


def handle(cmd: PutWebhookSecret, uow: UnitOfWork, *, sealer: Sealer) -> dict[str, Any]:
    """The secret is sealed (HMAC verification needs it back, so no hash would do) and
    never answered; the one it replaces keeps verifying for :data:`ROTATION_GRACE`."""
    if not uow.sources.exists(cmd.source):
        raise UnknownSource(f"unknown source '{cmd.source}'; register it first")
    problem = check_secret(cmd.scheme, cmd.secret)
    if problem is not None:
        pointer = "/scheme" if problem.startswith("scheme") else "/secret"
        raise InvalidInput(
            f"the webhook secret is refused: {problem}", [FieldError(pointer, problem)]
        )
    now = uow.clock.now()
    before = uow.webhooks.get(cmd.source)
    keep_previous = before is not None and before["scheme"] == cmd.scheme
    uow.webhooks.put(
        {
            "source": cmd.source,
            "scheme": cmd.scheme,
            "secret": sealer.seal({"secret": cmd.secret}),
            "previous_secret": before["secret"] if keep_previous and before else None,
            "previous_until": now + ROTATION_GRACE if keep_previous else None,
            "created_at": now,
            "updated_at": now,
        }
    )
    uow.audit.record(
        actor=cmd.actor,
        action="webhook_secret_set",
        target_id=None,
        detail={"source": cmd.source, "scheme": cmd.scheme, "rotated": before is not None},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {
        "source": cmd.source,
        "scheme": cmd.scheme,
        "secret": {"configured": True},
        "previous_valid_until": iso(now + ROTATION_GRACE) if keep_previous else None,
        "created": before is None,
    }
