"""Where a webhook's command goes: the adapters by provider, each command to its use case by type, and
the count of what became of it. One dependency for the route (Litestar resolves two or more of a route's
dependencies in a task group of their own, a measurable share of a webhook's CPU)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any, get_args

from adapters.metrics import PrometheusMetrics
from application.console.ports import WebhookRefusals
from application.dispatch.commands import TripStatusReported
from application.dispatch.trip_updates import TripStatusReportedHandler
from application.errors import InvalidPayload, InvalidSignature
from application.payments.commands import PaymentEvent, PaymentLinkPaid
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.ports import Clock
from application.scheduling.appointments import AppointmentReportedHandler
from application.scheduling.commands import AppointmentReported
from application.webhooks import InboundWebhook, WebhookCommand

Handle = Callable[[Any], Awaitable[StrEnum]]
# What the log line says of a command: its event type, and its event id or the provider's reference.
Describe = Callable[[Any], tuple[str, str]]
log = logging.getLogger("bookhub.webhooks")


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
        refusals: WebhookRefusals | None = None,
        clock: Clock | None = None,
    ) -> None:
        for name, adapter in adapters.items():
            if adapter.provider != name:
                raise ValueError(f"the {name} webhook adapter says it is {adapter.provider}")
        self.adapters = dict(adapters)
        self.metrics = metrics
        self._refusals, self._clock = refusals, clock
        self._routes: dict[type, tuple[Handle, Describe]] = {
            **dict.fromkeys(get_args(PaymentEvent), (payment_events, _event)),
            PaymentLinkPaid: (payment_link_paid, _event),
            AppointmentReported: (appointment_reported, _appointment),
            TripStatusReported: (trip_status, _trip),
        }

    def route(self, command: WebhookCommand) -> tuple[Handle, Describe]:
        return self._routes[type(command)]

    async def refused(self, provider: str, exc: InvalidSignature | InvalidPayload) -> None:
        """Counts a refused post for the console's error rate; failing to count never changes the answer."""
        if self._refusals is None or self._clock is None:
            return
        code = "invalid_signature" if isinstance(exc, InvalidSignature) else "invalid_payload"
        try:
            await self._refusals.refused(provider, code, now=self._clock.now())
        except Exception:  # the database is down or busy: the refusal stands, uncounted
            log.exception("%s webhook refusal not counted", provider)


def _event(command: PaymentEvent | PaymentLinkPaid) -> tuple[str, str]:
    return command.event_type, command.event_id


def _appointment(command: AppointmentReported) -> tuple[str, str]:
    return command.event_type, command.appointment.reference


def _trip(command: TripStatusReported) -> tuple[str, str]:
    return f"trip.{command.status.value if command.status else 'unknown'}", command.event_id
