"""The outbox's `airwallex.*` messages: refunds, and payment links to deactivate."""

from __future__ import annotations

import logging

from adapters.providers.airwallex.client import AirwallexApi, request_id, to_major
from adapters.providers.airwallex.gateway import AirwallexPaymentLinkGateway
from application.errors import ProviderRejected
from application.ports import ClaimedMessage
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.airwallex")


class AirwallexRefundSender:
    """`airwallex.refund` messages: refund exactly `amount_cents` of the booking's PaymentIntent (in major
    units of its `currency`; the rest of it without), `request_id` the message's idempotency key;
    `airwallex.deactivate_payment_link`: the booking's link takes no more payments."""

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def send(self, message: ClaimedMessage) -> OutboxState:
        if message.topic == "airwallex.deactivate_payment_link":
            return await self._deactivate(message)
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

    async def _deactivate(self, message: ClaimedMessage) -> OutboxState:
        link = message.payload.get("link_id")
        if not link:
            raise ProviderRejected(f"{message.topic} for booking {message.booking_id} names no link")
        await AirwallexPaymentLinkGateway(self._api).deactivate(str(link))
        log.info("airwallex payment link of booking %s deactivated", message.booking_id)
        return OutboxState.DELIVERED
