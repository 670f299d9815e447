"""Airwallex payments: a PaymentIntent for a booking or an extension, whose `client_secret` Airwallex's
hosted page or drop-in element takes."""

from __future__ import annotations

from adapters.providers.airwallex.client import AirwallexApi, request_id, to_major
from application.payments.commands import PaymentSession
from domain.booking import Booking
from domain.catalog import Offering
from domain.extension import Extension


class AirwallexPaymentGateway:
    """A PaymentIntent whose `client_secret` Airwallex's hosted page or drop-in element takes; it carries
    `merchant_order_id` and `metadata.booking_id`, and our idempotency key as its `request_id`."""

    name = "airwallex"
    customer_key = None

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def create_session(
        self,
        booking: Booking,
        offering: Offering,
        *,
        idempotency_key: str,
        customer_ref: str | None = None,
    ) -> PaymentSession:
        currency = booking.price.currency.upper()
        body = {
            "request_id": idempotency_key,
            "amount": float(to_major(booking.price.amount_cents, currency)),
            "currency": currency,
            "merchant_order_id": str(booking.id),
            "descriptor": offering.name[:32],
            "metadata": {"booking_id": str(booking.id)},
        }
        intent = await self._api.post("/api/v1/pa/payment_intents/create", body)
        return PaymentSession(
            "airwallex",
            client_secret=intent.get("client_secret"),
            reference=intent.get("id"),
            reference_key="airwallex_payment_intent",
        )


class AirwallexExtensionPayment:
    """An extension paid on-session: a PaymentIntent of its price for Airwallex's hosted page or drop-in
    element (`client_secret`), `merchant_order_id` the extension's id, `metadata` naming the booking and
    the extension, `request_id` the extension attempt's key (so a repeat opens nothing more)."""

    provider = "airwallex"
    customer_key = None

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def open(
        self, extension: Extension, booking: Booking, *, idempotency_key: str, customer_ref: str | None
    ) -> PaymentSession:
        currency = extension.price.currency.upper()
        body = {
            "request_id": request_id(idempotency_key),
            "amount": float(to_major(extension.price.amount_cents, currency)),
            "currency": currency,
            "merchant_order_id": str(extension.id),
            "descriptor": extension.description[:32],
            "metadata": {"booking_id": str(booking.id), "extension_id": str(extension.id)},
        }
        intent = await self._api.post("/api/v1/pa/payment_intents/create", body)
        return PaymentSession(
            "airwallex", client_secret=intent.get("client_secret"), reference=intent.get("id")
        )
