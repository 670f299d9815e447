"""Airwallex over httpx against a local sink: one login, keyed PaymentIntents and refunds, Decimal amounts."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest

from adapters.memory.clock import FixedClock
from adapters.providers.airwallex.client import AirwallexApi, to_major, to_minor
from adapters.providers.airwallex.gateway import AirwallexExtensionPayment, AirwallexPaymentGateway
from adapters.providers.airwallex.senders import AirwallexRefundSender
from adapters.providers.airwallex.webhook import AirwallexWebhook
from application.errors import InvalidSignature
from application.payments.commands import EventIgnored, ExtensionPaid, PaymentSucceeded, RefundRecorded
from application.ports import ClaimedMessage
from domain.booking import Booking
from domain.catalog import Money
from domain.extension import Extension
from tests.application.builders import build
from tests.support.sink import http_sink

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
REPLY = {
    "token": "tok_1",
    "expires_at": (NOW + timedelta(minutes=30)).isoformat(),
    "id": "int_1",
    "client_secret": "secret_1",
}


def a_booking() -> Booking:
    return Booking.new(
        id=uuid4(),
        offering_id="van-transfer",
        customer_id=uuid4(),
        price=Money(8550, "EUR"),
        slot=None,
        buffer=timedelta(0),
        resource_id=None,
        now=NOW,
        hold=timedelta(minutes=30),
    )


@pytest.mark.parametrize(
    ("cents", "currency", "major"),
    [(8550, "EUR", Decimal("85.50")), (1000, "JPY", Decimal("1000")), (1234, "KWD", Decimal("1.234"))],
)
def test_amounts_convert_between_minor_and_major_units_by_the_currencys_exponent(
    cents: int, currency: str, major: Decimal
) -> None:
    assert to_major(cents, currency) == major
    assert to_minor(major, currency) == cents


async def test_a_payment_intent_is_created_once_logged_in_with_the_booking_and_our_request_id() -> None:
    app = build()
    offering = app.catalog.catalog.offerings["van-transfer"]
    with http_sink(body=json.dumps(REPLY).encode()) as sink:
        async with httpx.AsyncClient() as http:
            api = AirwallexApi(http, FixedClock(NOW), client_id="cid", api_key="key", api_base=sink.base)
            gateway = AirwallexPaymentGateway(api)
            booking = a_booking()
            session = await gateway.create_session(booking, offering, idempotency_key="checkout:b:airwallex")
            await gateway.create_session(a_booking(), offering, idempotency_key="checkout:c:airwallex")
    assert (session.provider, session.client_secret, session.reference) == ("airwallex", "secret_1", "int_1")
    paths = [r.path for r in sink.received]
    assert paths.count("/api/v1/authentication/login") == 1  # the token is cached
    login = sink.received[0]
    assert (login.headers["x-client-id"], login.headers["x-api-key"]) == ("cid", "key")
    create = sink.received[1].json()
    assert create["request_id"] == "checkout:b:airwallex"
    assert (create["amount"], create["currency"]) == (85.5, "EUR")
    assert create["metadata"] == {"booking_id": str(booking.id)}
    assert create["merchant_order_id"] == str(booking.id)
    assert sink.received[1].headers["authorization"] == "Bearer tok_1"


async def test_a_refund_names_the_payment_intent_and_uses_the_messages_key_as_request_id() -> None:
    booking = uuid4()
    key, payload = f"refund:{booking}:airwallex", {"payment_ref": "int_9"}
    message = ClaimedMessage(1, "airwallex.refund", key, booking, payload, 1)
    with http_sink(body=json.dumps(REPLY).encode()) as sink:
        async with httpx.AsyncClient() as http:
            api = AirwallexApi(http, FixedClock(NOW), client_id="cid", api_key="key", api_base=sink.base)
            await AirwallexRefundSender(api).send(message)
    refund = sink.received[-1]
    assert refund.path == "/api/v1/pa/refunds/create"
    assert (refund.json()["request_id"], refund.json()["payment_intent_id"]) == (key, "int_9")


def signed(body: bytes, secret: str = "whsec_air", *, ms: int | None = None) -> tuple[str, str]:  # noqa: S107
    ts = str(int(time.time() * 1000) if ms is None else ms)
    return ts, hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).hexdigest()


def headers_of(timestamp: str | None, signature: str | None) -> dict[str, str]:
    """The two headers the signature travels in, as the adapter reads them; an absent one left out."""
    pairs = {"x-timestamp": timestamp, "x-signature": signature}
    return {name: value for name, value in pairs.items() if value is not None}


def an_event(name: str, obj: dict[str, object]) -> bytes:
    return json.dumps({"id": "evt_a1", "name": name, "data": {"object": obj}}).encode()


def test_a_signed_payment_success_becomes_our_command_in_cents() -> None:
    booking = uuid4()
    body = an_event(
        "payment_intent.succeeded",
        {"id": "int_1", "amount": 85.5, "currency": "EUR", "merchant_order_id": str(booking)},
    )
    event = AirwallexWebhook("whsec_air").parse(body, headers_of(*signed(body)))
    kind = "payment_intent.succeeded"
    assert event == PaymentSucceeded("airwallex", "evt_a1", booking, 8550, "EUR", "int_1", kind)


def test_a_settled_refund_becomes_a_refund_of_its_payment_intent() -> None:
    booking = uuid4()
    obj = {"id": "rf_1", "amount": "85.50", "currency": "EUR", "payment_intent_id": "int_1"}
    obj["metadata"] = {"booking_id": str(booking)}
    body = an_event("refund.settled", obj)
    event = AirwallexWebhook("whsec_air").parse(body, headers_of(*signed(body)))
    assert event == RefundRecorded(
        "airwallex", "evt_a1", booking, 8550, "int_1", "refund.settled", refund_ref="rf_1"
    )


@pytest.mark.parametrize("forgery", ["no headers", "wrong secret", "stale", "future", "altered"])
def test_an_unsigned_stale_or_altered_airwallex_post_is_refused(forgery: str) -> None:
    body = an_event("payment_intent.succeeded", {"id": "int_1"})
    ts, sig = signed(body)
    now_ms = int(time.time() * 1000)
    if forgery == "wrong secret":
        ts, sig = signed(body, "someone_else")
    elif forgery == "stale":
        ts, sig = signed(body, ms=now_ms - 6 * 60 * 1000)
    elif forgery == "future":
        ts, sig = signed(body, ms=now_ms + 6 * 60 * 1000)
    elif forgery == "altered":
        body = body.replace(b"int_1", b"int_2")
    headers: tuple[str | None, str | None] = (None, None) if forgery == "no headers" else (ts, sig)
    with pytest.raises(InvalidSignature):
        AirwallexWebhook("whsec_air").parse(body, headers_of(*headers))


def test_without_a_webhook_secret_every_post_is_refused() -> None:
    body = an_event("payment_intent.succeeded", {"id": "int_1"})
    with pytest.raises(InvalidSignature):
        AirwallexWebhook(None).parse(body, headers_of(*signed(body)))


async def test_an_extension_paid_on_session_is_a_payment_intent_naming_it_keyed_by_its_attempt() -> None:
    booking = a_booking()
    extension = Extension.propose(
        id=uuid4(),
        booking_id=booking.id,
        description="New brake pads and discs, front axle",
        price=Money(12050, "EUR"),
        now=NOW,
    )
    with http_sink(body=json.dumps(REPLY).encode()) as sink:
        async with httpx.AsyncClient() as http:
            api = AirwallexApi(http, FixedClock(NOW), client_id="cid", api_key="key", api_base=sink.base)
            payment = AirwallexExtensionPayment(api)
            key = extension.session_key
            session = await payment.open(extension, booking, idempotency_key=key, customer_ref=None)
    assert (session.provider, session.client_secret, session.reference, session.url) == (
        "airwallex",
        "secret_1",
        "int_1",
        None,
    )
    create = sink.received[-1]
    assert create.path == "/api/v1/pa/payment_intents/create"
    body = create.json()
    assert body["request_id"] == f"extension:{extension.id}:session:0"
    assert (body["amount"], body["currency"]) == (120.5, "EUR")
    assert body["merchant_order_id"] == str(extension.id)
    assert body["metadata"] == {"booking_id": str(booking.id), "extension_id": str(extension.id)}
    assert body["descriptor"] == "New brake pads and discs, front "


def test_a_signed_success_of_an_extensions_payment_intent_pays_the_extension_not_the_booking() -> None:
    booking, extension = uuid4(), uuid4()
    metadata = {"booking_id": str(booking), "extension_id": str(extension)}
    obj = {"id": "int_7", "amount": 120.5, "currency": "EUR", "merchant_order_id": str(extension)}
    body = an_event("payment_intent.succeeded", {**obj, "metadata": metadata})
    event = AirwallexWebhook("whsec_air").parse(body, headers_of(*signed(body)))
    kind = "payment_intent.succeeded"
    assert event == ExtensionPaid("airwallex", "evt_a1", booking, extension, 12050, "EUR", "int_7", kind)
    cancelled = an_event("payment_intent.cancelled", {**obj, "metadata": metadata})
    ignored = AirwallexWebhook("whsec_air").parse(cancelled, headers_of(*signed(cancelled)))
    assert ignored == EventIgnored("airwallex", "evt_a1", "payment_intent.cancelled")


async def test_a_partial_refund_asks_exactly_its_amount_in_major_units() -> None:
    booking = uuid4()
    payload = {"payment_ref": "int_9", "amount_cents": 4250, "currency": "EUR"}
    message = ClaimedMessage(1, "airwallex.refund", f"refund:{booking}:airwallex", booking, payload, 1)
    with http_sink(body=json.dumps(REPLY).encode()) as sink:
        async with httpx.AsyncClient() as http:
            api = AirwallexApi(http, FixedClock(NOW), client_id="cid", api_key="key", api_base=sink.base)
            await AirwallexRefundSender(api).send(message)
    assert sink.received[-1].json()["amount"] == 42.5
