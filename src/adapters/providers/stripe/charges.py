"""Extensions charged off-session to the card a booking's first payment saved."""

from __future__ import annotations

import logging
from typing import Any

import stripe

from adapters.providers.stripe.client import StripeApi, unavailable
from application.payments.ports import ChargeResult, SavedCard
from domain.extension import Extension

log = logging.getLogger("bookhub.stripe")

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
