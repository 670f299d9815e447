"""Where a webhook's command goes: the adapters by provider, each command to its use case by type, and
the count of what became of it. One dependency for the route (Litestar resolves two or more of a route's
dependencies in a task group of their own, a measurable share of a webhook's CPU)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any, get_args

from adapters.metrics import PrometheusMetrics
from application.dispatch.commands import TripStatusReported
from application.dispatch.trip_updates import TripStatusReportedHandler
from application.payments.commands import PaymentEvent, PaymentLinkPaid
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.scheduling.appointments import AppointmentReportedHandler
from application.scheduling.commands import AppointmentReported
from application.webhooks import InboundWebhook, WebhookCommand

Handle = Callable[[Any], Awaitable[StrEnum]]
# What the log line says of a command: its event type, and its event id or the provider's reference.
Describe = Callable[[Any], tuple[str, str]]


class WebhookDispatch:
    def __init__(
        self,
        adapters: Mapping[str, InboundWebhook],
        *,
        payment_events: PaymentEventHandler,
        payment_link_paid: PaymentLinkPaidHandler,
        appointment_reported: AppointmentReportedHandler,
        trip_status: TripStatusReportedHandler,
        metrics: PrometheusMetrics,
    ) -> None:
        for name, adapter in adapters.items():
            if adapter.provider != name:
                raise ValueError(f"the {name} webhook adapter says it is {adapter.provider}")
        self.adapters = dict(adapters)
        self.metrics = metrics
        self._routes: dict[type, tuple[Handle, Describe]] = {
            **dict.fromkeys(get_args(PaymentEvent), (payment_events, _event)),
            PaymentLinkPaid: (payment_link_paid, _event),
            AppointmentReported: (appointment_reported, _appointment),
            TripStatusReported: (trip_status, _trip),
        }

    def route(self, command: WebhookCommand) -> tuple[Handle, Describe]:
        return self._routes[type(command)]


def _event(command: PaymentEvent | PaymentLinkPaid) -> tuple[str, str]:
    return command.event_type, command.event_id


def _appointment(command: AppointmentReported) -> tuple[str, str]:
    return command.event_type, command.appointment.reference


def _trip(command: TripStatusReported) -> tuple[str, str]:
    return f"trip.{command.status.value if command.status else 'unknown'}", command.event_id
