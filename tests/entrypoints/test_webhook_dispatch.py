"""Each webhook command goes to its use case by type; an adapter filed under another name stops the start."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from adapters.metrics import PrometheusMetrics
from adapters.providers.calcom.webhook import CalComWebhook
from adapters.providers.driver_app.webhook import DriverAppWebhook
from application.dispatch.commands import TripStatusReported
from application.payments.commands import (
    EventIgnored,
    PaymentFailureReported,
    PaymentLinkPaid,
    PaymentSucceeded,
    RefundRecorded,
)
from application.scheduling.commands import AppointmentReported, ProviderAppointment
from entrypoints.webhook_dispatch import WebhookDispatch

HANDLERS = ("payment_events", "payment_link_paid", "appointment_reported", "trip_status")


def _dispatch(adapters: dict[str, Any] | None = None) -> WebhookDispatch:
    handlers: dict[str, Any] = {name: name for name in HANDLERS}  # stand-ins: the route is what is asserted
    return WebhookDispatch(adapters or {}, **handlers, metrics=PrometheusMetrics())


@pytest.mark.parametrize(
    ("command", "handler", "described"),
    [
        (
            PaymentSucceeded("stripe", "evt_1", uuid4(), 100, "EUR"),
            "payment_events",
            ("payment.succeeded", "evt_1"),
        ),
        (PaymentFailureReported("stripe", "evt_2", uuid4()), "payment_events", ("payment.failed", "evt_2")),
        (RefundRecorded("stripe", "evt_3", uuid4(), 100), "payment_events", ("refund", "evt_3")),
        (EventIgnored("airwallex", "evt_4", "x.y"), "payment_events", ("x.y", "evt_4")),
        (
            PaymentLinkPaid("stripe", "evt_5", "plink", "cs", 100, "EUR", None, None, None, None),
            "payment_link_paid",
            ("payment_link.paid", "evt_5"),
        ),
        (
            AppointmentReported(
                "e:1", "BOOKING_CREATED", ProviderAppointment("calcom", "uid-1", 1, None, False)
            ),
            "appointment_reported",
            ("BOOKING_CREATED", "uid-1"),
        ),
        (TripStatusReported("ev-1", None, None), "trip_status", ("trip.unknown", "ev-1")),
    ],
)
def test_a_command_goes_to_its_use_case_and_is_described_without_personal_data(
    command: Any, handler: str, described: tuple[str, str]
) -> None:
    handle, describe = _dispatch().route(command)
    assert (handle, describe(command)) == (handler, described)


def test_an_adapter_filed_under_another_providers_name_is_refused() -> None:
    assert _dispatch({"calcom": CalComWebhook("s")}).adapters["calcom"].provider == "calcom"
    with pytest.raises(ValueError, match="driver_app"):
        _dispatch({"calcom": DriverAppWebhook("s")})
