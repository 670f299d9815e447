"""Stripe's webhooks: the signature checked on the raw body, then the event normalised (events.py)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from stripe import SignatureVerificationError, WebhookSignature  # bound once: `stripe.X` is a lazy lookup

from adapters.providers.stripe.events import PROVIDER, decode_event, normalise
from application.errors import InvalidPayload, InvalidSignature
from application.payments.commands import PaymentEvent, PaymentLinkPaid

TOLERANCE_SECONDS = 300


class StripeWebhook:
    provider = PROVIDER
    signature_refusal_status = 400
    payload_refusal_code = "invalid_payload"

    def __init__(self, secret: str | None) -> None:
        self._secret = secret

    def parse(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent | PaymentLinkPaid:
        """Raises InvalidSignature unless `body` is exactly what Stripe signed within the last 300 s."""
        signature = headers.get("stripe-signature")
        try:
            WebhookSignature.verify_header(body, signature, self._secret, tolerance=TOLERANCE_SECONDS)
        except (SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidSignature("the Stripe-Signature does not match this body") from exc
        try:
            event = decode_event(body)
        except msgspec.DecodeError as exc:
            raise InvalidPayload("the signed body is not a Stripe event") from exc
        return normalise(event)
