"""Stripe through the official SDK: async calls over its httpx client, our idempotency key on every POST."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import stripe

from application.errors import ProviderRejected, ProviderUnavailable
from application.payments.commands import PaymentSession
from application.payments.ports import ChargeResult, SavedCard
from application.ports import ClaimedMessage, Clock
from domain.booking import Booking
from domain.catalog import Offering
from domain.extension import Extension
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.stripe")

TIMEOUT_SECONDS = 10.0
NETWORK_RETRIES = 2
# Stripe accepts a Checkout Session expiry 30 minutes to 24 hours ahead; a hold may be shorter or longer.
SESSION_MIN = timedelta(minutes=31)
SESSION_MAX = timedelta(hours=23, minutes=59)


class _HttpxClient(stripe.HTTPXClient):
    """The SDK's httpx client, sending the form body as `content` (httpx deprecates raw `data`)."""

    def _get_request_args_kwargs(self, method: str, url: str, headers: Any, post_data: Any) -> Any:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        kwargs["content"] = kwargs.pop("data", None) or None
        return args, kwargs


class StripeApi:
    """One `StripeClient` per process, over the SDK's async httpx client; closed with the app."""

    def __init__(self, api_key: str, *, api_base: str) -> None:
        self._http = _HttpxClient(timeout=TIMEOUT_SECONDS)
        self.client = stripe.StripeClient(
            api_key,
            http_client=self._http,
            base_addresses={"api": api_base.rstrip("/")},
            max_network_retries=NETWORK_RETRIES,
        )

    async def aclose(self) -> None:
        await self._http.close_async()


def unavailable(what: str, exc: stripe.StripeError) -> ProviderUnavailable:
    """Ids and status only in the log and the error: Stripe's message can quote what was sent."""
    name, status = type(exc).__name__, exc.http_status
    log.warning("stripe %s failed: %s (HTTP %s, request %s)", what, name, status, exc.request_id)
    return ProviderUnavailable(f"stripe {what} failed: {name} (HTTP {status})")


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


class StripeRefundSender:
    """`stripe.refund` messages: refund what is left of the booking's PaymentIntent, once, keyed by the
    message's idempotency key. A PaymentIntent refunded already counts as delivered."""

    def __init__(self, api: StripeApi) -> None:
        self._api = api

    async def send(self, message: ClaimedMessage) -> OutboxState:
        payment_intent = message.payload.get("payment_ref")
        if not payment_intent or message.booking_id is None:
            raise ProviderRejected(f"refund for booking {message.booking_id} names no PaymentIntent")
        params: Any = {
            "payment_intent": payment_intent,
            "reason": "requested_by_customer",
            "metadata": {"booking_id": str(message.booking_id)},
        }
        try:
            options: Any = {"idempotency_key": message.idempotency_key}
            await self._api.client.v1.refunds.create_async(params, options)
        except stripe.InvalidRequestError as exc:
            if exc.code == "charge_already_refunded":
                return OutboxState.DELIVERED
            raise ProviderRejected(f"stripe refused the refund: {exc.code or 'invalid_request'}") from exc
        except (stripe.AuthenticationError, stripe.PermissionError, stripe.IdempotencyError) as exc:
            raise ProviderRejected(f"stripe refused the refund: {type(exc).__name__}") from exc
        except stripe.StripeError as exc:
            raise unavailable("refund", exc) from exc
        log.info("stripe refund requested for booking %s", message.booking_id)
        return OutboxState.DELIVERED


# What the customer must do when an off-session charge does not go through (no card data, no message).
_AUTHENTICATE = (
    "authentication_required: the customer pays on-session (POST .../pay) and confirms with their bank"
)
_NEW_CARD = "{code}: the customer pays on-session (POST .../pay) with another card"
_NO_CARD = "no_saved_card: the booking's payment saved no card; the customer pays on-session (POST .../pay)"


class StripeOffSessionCharges:
    """Extensions charged to the card the booking's first payment saved: a PaymentIntent created
    confirmed and off-session, keyed by the extension's attempt, naming the booking and the extension."""

    provider = "stripe"
    customer_key = "stripe_customer"

    def __init__(self, api: StripeApi) -> None:
        self._api = api

    async def charge(self, extension: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
        if card.customer_ref is None or card.payment_method is None:
            return ChargeResult(paid=False, reason=_NO_CARD)
        params: Any = {
            "amount": extension.price.amount_cents,
            "currency": extension.price.currency.lower(),
            "customer": card.customer_ref,
            "payment_method": card.payment_method,
            "off_session": True,
            "confirm": True,
            "description": extension.description[:200],
            "metadata": {"booking_id": str(extension.booking_id), "extension_id": str(extension.id)},
        }
        options: Any = {"idempotency_key": idempotency_key}
        try:
            intent = await self._api.client.v1.payment_intents.create_async(params, options)
        except stripe.CardError as exc:
            code = exc.code or "card_declined"
            log.info("stripe off-session charge for extension %s refused: %s", extension.id, code)
            reason = _AUTHENTICATE if code == "authentication_required" else _NEW_CARD.format(code=code)
            return ChargeResult(paid=False, payment_ref=_intent_id(exc), reason=reason)
        except stripe.StripeError as exc:
            raise unavailable("extension charge", exc) from exc
        if intent.status == "succeeded":
            return ChargeResult(paid=True, payment_ref=intent.id)
        reason = _AUTHENTICATE if intent.status == "requires_action" else f"{intent.status}: not charged"
        return ChargeResult(paid=False, payment_ref=intent.id, reason=reason)


def _intent_id(exc: stripe.CardError) -> str | None:
    intent = getattr(exc.error, "payment_intent", None) if exc.error is not None else None
    found = intent.get("id") if isinstance(intent, dict) else getattr(intent, "id", None)
    return found if isinstance(found, str) else None
