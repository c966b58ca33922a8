"""Subject naming and stream settings: pure, no NATS server needed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mdm.settings import get_settings
from sync.settings import HubSettings, get_hub_settings, get_sync_settings
from sync.stream import (
    StreamSettings,
    UnroutableEventError,
    inbound_filter,
    inbound_source,
    inbound_subject,
    subject_for,
)
from sync.stream.settings import get_stream_settings


@pytest.mark.parametrize(
    ("event_type", "subject"),
    [
        ("mdm.golden.customer.created.v1", "acme.mdm.golden.customer.created"),
        ("mdm.golden.price.unmerged.v2", "acme.mdm.golden.price.unmerged"),
        ("mdm.customer.payment_failed.v1", "acme.mdm.customer.payment_failed"),
    ],
)
def test_an_event_type_names_its_subject_without_the_version(event_type: str, subject: str) -> None:
    assert subject_for(event_type, prefix="acme.mdm") == subject


@pytest.mark.parametrize(
    "event_type",
    [
        "customer.created",
        "mdm.golden.customer.created",
        "mdm.golden.customer.v1",
        "mdm.golden.customer.created.extra.v1",
        "mdm.inbound.billing.invoice.paid.v1",
        "mdm.customer.pay*.v1",
        "mdm.customer.payment failed.v1",
    ],
)
def test_an_event_type_that_fits_no_channel_is_refused(event_type: str) -> None:
    with pytest.raises(UnroutableEventError):
        subject_for(event_type, prefix="mdm")


def test_inbound_subjects_carry_the_source_as_their_third_token() -> None:
    subject = inbound_subject("billing", "invoice.paid", prefix="mdm")

    assert subject == "mdm.inbound.billing.invoice.paid"
    assert inbound_source(subject, prefix="mdm") == ("billing", "invoice.paid")
    assert inbound_source("mdm.golden.customer.created", prefix="mdm") is None
    assert inbound_filter(prefix="mdm") == "mdm.inbound.>"
    assert inbound_filter(prefix="mdm", source="crm") == "mdm.inbound.crm.>"
    with pytest.raises(UnroutableEventError):
        inbound_subject("bill.ing", "invoice.paid", prefix="mdm")


def test_settings_come_from_the_environment_with_the_documented_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("MDM_NATS_URL", "MDM_NATS_STREAM", "MDM_NATS_SUBJECT_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    defaults = _hub_settings().stream
    assert defaults.enabled is False
    assert (defaults.stream, defaults.subject_prefix) == ("MDM_EVENTS", "mdm")

    monkeypatch.setenv("MDM_NATS_URL", "nats://a:4222, nats://b:4222")
    monkeypatch.setenv("MDM_NATS_STREAM", "HUB")
    monkeypatch.setenv("MDM_NATS_SUBJECT_PREFIX", "acme.mdm")
    hub = _hub_settings()

    assert hub.stream.servers == ["nats://a:4222", "nats://b:4222"]
    assert (hub.stream.stream, hub.stream.subject_prefix) == ("HUB", "acme.mdm")
    # MDM_NATS_URL is read once, by the service's section, and handed to the stream's
    assert hub.service.nats_url == hub.stream.url == "nats://a:4222, nats://b:4222"


def _hub_settings() -> HubSettings:
    """Every section read from the environment as it is now."""
    for cached in (get_hub_settings, get_settings, get_stream_settings, get_sync_settings):
        cached.cache_clear()
    try:
        return get_hub_settings()
    finally:
        for cached in (get_hub_settings, get_settings, get_stream_settings, get_sync_settings):
            cached.cache_clear()


@pytest.mark.parametrize("field", [{"stream": "MDM.EVENTS"}, {"subject_prefix": "mdm.>"}])
def test_names_that_would_break_subjects_are_refused(field: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        StreamSettings(**field)
