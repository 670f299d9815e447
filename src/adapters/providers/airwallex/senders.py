"""The outbox's `airwallex.refund` messages."""

from __future__ import annotations

import logging

from adapters.providers.airwallex.client import AirwallexApi, request_id, to_major
from application.errors import ProviderRejected
from application.ports import ClaimedMessage
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.airwallex")


class AirwallexRefundSender:
    """`airwallex.refund` messages: refund exactly `amount_cents` of the booking's PaymentIntent (in major
    units of its `currency`; the rest of it without), `request_id` the message's idempotency key."""

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def send(self, message: ClaimedMessage) -> OutboxState:
        payment_intent = message.payload.get("payment_ref")
        if not payment_intent or message.booking_id is None:
            raise ProviderRejected(f"refund for booking {message.booking_id} names no PaymentIntent")
        body = {
            "request_id": request_id(message.idempotency_key),
            "payment_intent_id": payment_intent,
            "reason": "requested_by_customer",
            "metadata": {"booking_id": str(message.booking_id)},
        }
        amount, currency = message.payload.get("amount_cents"), message.payload.get("currency")
        if isinstance(amount, int) and amount > 0 and isinstance(currency, str):
            body["amount"] = float(to_major(amount, currency))
        await self._api.post("/api/v1/pa/refunds/create", body)
        log.info("airwallex refund requested for booking %s", message.booking_id)
        return OutboxState.DELIVERED
