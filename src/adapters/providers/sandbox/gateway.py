"""Sandbox payments: a local checkout page instead of a provider, for development and demos."""

from __future__ import annotations

from application.payments.commands import PaymentSession
from application.payments.ports import ChargeResult, SavedCard
from domain.booking import Booking
from domain.catalog import Offering
from domain.extension import Extension


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


class SandboxCharges:
    """Extensions in sandbox mode: charged at once, so the whole flow runs without a provider."""

    provider = "sandbox"
    customer_key = None

    async def charge(self, extension: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
        return ChargeResult(paid=True, payment_ref=f"sandbox_{idempotency_key}")


class SandboxExtensionCheckout:
    """Extensions paid on-session in sandbox mode: paid at once, as an approval is, so the flow runs
    without a provider (there is no page to pay at)."""

    provider = "sandbox"
    customer_key = None

    async def open(
        self, extension: Extension, booking: Booking, *, idempotency_key: str, customer_ref: str | None
    ) -> ChargeResult:
        return ChargeResult(paid=True, payment_ref=f"sandbox_{idempotency_key}")
