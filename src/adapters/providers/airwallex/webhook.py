"""Airwallex's webhooks: `x-signature` is hex HMAC-SHA256 of `x-timestamp` (milliseconds) followed by the
raw body; we refuse timestamps more than five minutes from our clock. Events are normalised into our
payment commands, amounts from major units back to cents."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import msgspec

from adapters.providers.airwallex.client import to_minor
from application.errors import InvalidPayload, InvalidSignature
from application.payments.commands import (
    EventIgnored,
    ExtensionPaid,
    PaymentEvent,
    PaymentFailureReported,
    PaymentSucceeded,
    RefundRecorded,
)

PROVIDER = "airwallex"
WINDOW_MS = 5 * 60 * 1000
# Refund event names differ by webhook API version; these say the money went back.
_REFUNDED = frozenset({"refund.settled", "refund.succeeded", "refund.accepted"})


class EventObject(msgspec.Struct, kw_only=True):
    id: str | None = None
    amount: Any = None
    currency: str | None = None
    merchant_order_id: str | None = None
    metadata: dict[str, Any] | None = None
    payment_intent_id: str | None = None
    payment_link_id: str | None = None
    status: str | None = None

    def booking_id(self) -> UUID | None:
        raw = (self.metadata or {}).get("booking_id") or self.merchant_order_id
        try:
            return UUID(str(raw)) if raw else None
        except ValueError:
            return None


class Data(msgspec.Struct):
    object: EventObject


class Event(msgspec.Struct):
    id: str
    name: str
    data: Data


_decode = msgspec.json.Decoder(Event).decode


class AirwallexWebhook:
    provider = PROVIDER
    signature_refusal_status = 400
    payload_refusal_code = "invalid_payload"

    def __init__(self, secret: str | None, *, now_ms: Any = None) -> None:
        self._secret = secret
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))

    def parse(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        timestamp, signature = headers.get("x-timestamp"), headers.get("x-signature")
        if not (self._secret and timestamp and signature and timestamp.isdigit()):
            raise InvalidSignature("x-timestamp and x-signature are required")
        expected = hmac.new(self._secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise InvalidSignature("the x-signature does not match this body")
        if abs(self._now_ms() - int(timestamp)) > WINDOW_MS:
            raise InvalidSignature("the x-timestamp is outside the five-minute window")
        try:
            return normalise(_decode(body))
        except msgspec.DecodeError as exc:
            raise InvalidPayload("the signed body is not an Airwallex event") from exc


def normalise(event: Event) -> PaymentEvent:
    obj, kind = event.data.object, event.name
    booking = obj.booking_id()
    ref = obj.payment_intent_id if kind.startswith("refund.") else obj.id
    cents = _cents(obj)
    if kind in _REFUNDED and cents and obj.id:
        # A refund names its PaymentIntent; one made in the web app names no booking (the ledger does).
        return RefundRecorded(PROVIDER, event.id, booking, cents, ref, event_type=kind, refund_ref=obj.id)
    link = obj.payment_link_id
    if kind == "payment_intent.succeeded" and link and cents is not None and obj.currency:
        # Paid through a payment link: the link names the booking (its metadata may not be copied here).
        return PaymentSucceeded(
            PROVIDER, event.id, booking, cents, obj.currency, ref, event_type=kind, payment_link=link
        )
    if booking is None:
        return EventIgnored(PROVIDER, event.id, kind)
    if "extension_id" in (obj.metadata or {}):
        # An extension's on-session payment: it pays the extension, never the booking's own payment.
        return _extension(event, booking, cents)
    if kind == "payment_intent.succeeded" and cents is not None and obj.currency:
        return PaymentSucceeded(PROVIDER, event.id, booking, cents, obj.currency, ref, event_type=kind)
    if kind in ("payment_intent.cancelled", "payment_attempt.failed_to_process"):
        return PaymentFailureReported(PROVIDER, event.id, booking, event_type=kind)
    return EventIgnored(PROVIDER, event.id, kind)


def _extension(event: Event, booking: UUID, cents: int | None) -> PaymentEvent:
    obj, kind = event.data.object, event.name
    try:
        extension = UUID(str((obj.metadata or {})["extension_id"]))
    except ValueError:
        return EventIgnored(PROVIDER, event.id, kind)
    if kind != "payment_intent.succeeded" or cents is None or not obj.currency:
        return EventIgnored(PROVIDER, event.id, kind)
    return ExtensionPaid(PROVIDER, event.id, booking, extension, cents, obj.currency, obj.id, event_type=kind)


def _cents(obj: EventObject) -> int | None:
    if obj.amount is None or not obj.currency:
        return None
    try:
        return to_minor(Decimal(str(obj.amount)), obj.currency)
    except (InvalidOperation, ValueError):
        return None
