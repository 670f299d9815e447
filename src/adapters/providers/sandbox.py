"""Sandbox payments: a local checkout page instead of a provider, for development and demos."""

from __future__ import annotations

from application.ports import PaymentSession
from domain.booking import Booking
from domain.catalog import Offering


class SandboxPaymentGateway:
    name = "sandbox"
    customer_key = None

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")

    async def create_session(
        self,
        booking: Booking,
        offering: Offering,
        *,
        idempotency_key: str,
        customer_ref: str | None = None,
    ) -> PaymentSession:
        return PaymentSession(
            provider=self.name,
            url=f"{self._public_url}/sandbox/checkout/{booking.id}",
            reference=f"sandbox_{booking.id}",
        )
