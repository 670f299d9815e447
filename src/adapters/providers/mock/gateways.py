"""Gateways for providers that are not configured: scheduling in the hub alone, no saved cards."""

from __future__ import annotations

import logging

from application.payments.ports import ChargeResult, SavedCard
from application.ports import CalendarBookingRequest, ProviderBooking
from domain.extension import Extension

log = logging.getLogger("bookhub.mock")


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
