"""Stripe payments: a hosted Checkout Session or a PaymentIntent for a booking, and a Checkout Session for
an extension paid on-session; our idempotency key on every POST."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import stripe

from adapters.providers.stripe.client import StripeApi, unavailable
from application.payments.commands import PaymentSession
from application.ports import Clock
from domain.booking import Booking
from domain.catalog import Offering
from domain.extension import Extension

# Stripe accepts a Checkout Session expiry 30 minutes to 24 hours ahead; a hold may be shorter or longer.
SESSION_MIN = timedelta(minutes=31)
SESSION_MAX = timedelta(hours=23, minutes=59)


class StripePaymentGateway:
    """A hosted Checkout Session (`url`) by default; a PaymentIntent (`client_secret`) for a page that
    collects the card itself. Either carries `metadata.booking_id`, which is how events find the booking."""

    customer_key = "stripe_customer"

    def __init__(
        self, api: StripeApi, clock: Clock, *, return_url: str, payment_intent: bool = False
    ) -> None:
        self._api, self._clock, self._return_url = api, clock, return_url
        self._payment_intent = payment_intent
        self.name = "stripe_payment_intent" if payment_intent else "stripe"

    async def create_session(
        self,
        booking: Booking,
        offering: Offering,
        *,
        idempotency_key: str,
        customer_ref: str | None = None,
    ) -> PaymentSession:
        """The payment saves the card for later off-session charges, for the customer's Stripe customer
        (created here the first time; the caller keeps its id in the customer's references)."""
        options: Any = {"idempotency_key": idempotency_key}
        try:
            customer = customer_ref or await self._create_customer(booking)
            if self._payment_intent:
                intent = await self._api.client.v1.payment_intents.create_async(
                    self._intent_params(booking, offering, customer), options
                )
                return PaymentSession(
                    "stripe",
                    client_secret=intent.client_secret,
                    reference=intent.id,
                    reference_key="stripe_payment_intent",
                    customer_ref=customer,
                )
            session = await self._api.client.v1.checkout.sessions.create_async(
                self._session_params(booking, offering, customer), options
            )
        except stripe.StripeError as exc:
            raise unavailable("payment session", exc) from exc
        return PaymentSession(
            "stripe",
            url=session.url,
            reference=session.id,
            reference_key="stripe_checkout_session",
            customer_ref=customer,
        )

    async def _create_customer(self, booking: Booking) -> str:
        """One Stripe customer per customer, keyed by our id; it carries no personal data, only our id."""
        params: Any = {"metadata": {"customer_id": str(booking.customer_id)}}
        options: Any = {"idempotency_key": f"customer:{booking.customer_id}"}
        customer = await self._api.client.v1.customers.create_async(params, options)
        return customer.id

    def _intent_params(self, booking: Booking, offering: Offering, customer: str) -> Any:
        return {
            "amount": booking.price.amount_cents,
            "currency": booking.price.currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "customer": customer,
            "setup_future_usage": "off_session",
            "description": offering.name,
            "metadata": {"booking_id": str(booking.id)},
        }

    def _session_params(self, booking: Booking, offering: Offering, customer: str) -> Any:
        now = self._clock.now()
        expires = booking.hold_expires_at or now
        expires = min(max(expires, now + SESSION_MIN), now + SESSION_MAX)
        metadata = {"booking_id": str(booking.id)}
        return {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": booking.price.currency.lower(),
                        "unit_amount": booking.price.amount_cents,
                        "product_data": {"name": offering.name},
                    },
                }
            ],
            "client_reference_id": str(booking.id),
            "customer": customer,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "setup_future_usage": "off_session"},
            "expires_at": int(expires.timestamp()),
            "success_url": self._back(booking, "paid"),
            "cancel_url": self._back(booking, "cancelled"),
        }

    def _back(self, booking: Booking, checkout: str) -> str:
        separator = "&" if "?" in self._return_url else "?"
        return self._return_url + separator + urlencode({"booking_id": str(booking.id), "checkout": checkout})


class StripeExtensionCheckout:
    """An extension paid on-session: a hosted Checkout Session of its price, naming the booking and the
    extension (on the session and on its PaymentIntent), for the customer's Stripe customer if they
    have one. Keyed by the extension's attempt, so a repeated request gets the same session; it keeps
    Stripe's default expiry (24 hours), about as long as Stripe keeps the key."""

    provider = "stripe"
    customer_key = "stripe_customer"

    def __init__(self, api: StripeApi, *, return_url: str) -> None:
        self._api, self._return_url = api, return_url

    async def open(
        self, extension: Extension, booking: Booking, *, idempotency_key: str, customer_ref: str | None
    ) -> PaymentSession:
        metadata = {"booking_id": str(booking.id), "extension_id": str(extension.id)}
        params: Any = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": extension.price.currency.lower(),
                        "unit_amount": extension.price.amount_cents,
                        "product_data": {"name": f"Extension: {extension.description}"[:250]},
                    },
                }
            ],
            "client_reference_id": str(booking.id),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": self._back(booking, extension, "paid"),
            "cancel_url": self._back(booking, extension, "cancelled"),
        }
        if customer_ref:
            params["customer"] = customer_ref
        options: Any = {"idempotency_key": idempotency_key}
        try:
            session = await self._api.client.v1.checkout.sessions.create_async(params, options)
        except stripe.StripeError as exc:
            raise unavailable("extension session", exc) from exc
        return PaymentSession("stripe", url=session.url, reference=session.id)

    def _back(self, booking: Booking, extension: Extension, checkout: str) -> str:
        separator = "&" if "?" in self._return_url else "?"
        query = {"booking_id": str(booking.id), "extension_id": str(extension.id), "checkout": checkout}
        return self._return_url + separator + urlencode(query)
