"""The outbox's `stripe.refund` and `stripe.customer_erased` messages."""

from __future__ import annotations

import logging
from typing import Any

import stripe

from adapters.providers.stripe.client import StripeApi, unavailable
from application.errors import ProviderRejected
from application.outbox_routes import CUSTOMER_REF
from application.ports import ClaimedMessage
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.stripe")


class StripeRefundSender:
    """`stripe.refund` messages: refund what is left of the booking's PaymentIntent (or the message's
    `amount_cents` of it), once, keyed by the message's idempotency key. A PaymentIntent refunded
    already counts as delivered."""

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
        if isinstance(message.payload.get("amount_cents"), int):  # a partial refund
            params["amount"] = message.payload["amount_cents"]
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


class StripeCustomerEraser:
    """`stripe.customer_erased` messages: delete the erased person's Stripe customer (its saved cards go
    with it). One that Stripe no longer has counts as deleted."""

    def __init__(self, api: StripeApi) -> None:
        self._api = api

    async def send(self, message: ClaimedMessage) -> OutboxState:
        customer = message.payload.get(CUSTOMER_REF)
        if not customer:
            raise ProviderRejected(f"{message.topic} {message.id} names no Stripe customer")
        try:
            await self._api.client.v1.customers.delete_async(str(customer))
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                return OutboxState.DELIVERED
            raise ProviderRejected(f"stripe refused the deletion: {exc.code or 'invalid_request'}") from exc
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            raise ProviderRejected(f"stripe refused the deletion: {type(exc).__name__}") from exc
        except stripe.StripeError as exc:
            raise unavailable("customer deletion", exc) from exc
        log.info("stripe customer of an erased person deleted (outbox message %s)", message.id)
        return OutboxState.DELIVERED
