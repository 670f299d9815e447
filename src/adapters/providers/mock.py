"""Stand-ins for integrations that are not configured (mock) or switched off (disabled)."""

from __future__ import annotations

import logging

from application.payments.ports import ChargeResult, SavedCard
from application.ports import CalendarBookingRequest, ClaimedMessage, ProviderBooking
from domain.extension import Extension
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.mock")


class LoggingMockSender:
    """Succeeds at once so the queue drains; logs the topic and booking id, never the payload."""

    async def send(self, message: ClaimedMessage) -> OutboxState:
        log.info("mock delivery of %s for booking %s", message.topic, message.booking_id)
        return OutboxState.DELIVERED


class SkippingSender:
    """For an integration switched off by configuration: the message is settled as skipped, not sent."""

    def __init__(self, integration: str) -> None:
        self._integration = integration

    async def send(self, message: ClaimedMessage) -> OutboxState:
        log.debug(
            "%s is disabled: skipped %s for booking %s", self._integration, message.topic, message.booking_id
        )
        return OutboxState.SKIPPED


class HubOnlyScheduling:
    """Cal.com without credentials: bookings are scheduled in the hub alone."""

    async def create_booking(self, request: CalendarBookingRequest) -> ProviderBooking | None:
        log.info("calcom (mock): booking %s scheduled in the hub only", request.booking_id)
        return None


class NoOffSessionCharges:
    """Extensions with a payment provider that keeps no card for later: every charge is refused."""

    provider = "none"
    customer_key = None

    async def charge(self, extension: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
        reason = "no_saved_card: this provider keeps no card; the customer pays on-session (POST .../pay)"
        return ChargeResult(paid=False, reason=reason)
