"""The sandbox checkout: a local page whose Pay and Fail buttons drive the real payment-event use case."""

from __future__ import annotations

import html
from typing import Annotated
from uuid import UUID

from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from msgspec import Struct

from application.bookings.queries import GetBooking
from application.errors import InvalidRequest
from application.payments.commands import PaymentFailureReported, PaymentOutcome, PaymentSucceeded
from application.payments.payment_events import PaymentEventHandler
from entrypoints.http.deps import Inject

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}}</style></head>
<body><h1>Sandbox checkout</h1>
<p>No payment provider is configured, so this page stands in for one. Nothing is charged.</p>
<p>Booking <code>{booking_id}</code>: <strong>{amount}</strong> ({status}, payment {payment_status}).</p>
<form method="post"><button name="outcome" value="pay">Pay</button>
<button name="outcome" value="fail">Fail</button></form>
</body></html>"""

RESULT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout</title></head>
<body><h1>Sandbox checkout</h1><p>{message}</p><p><code>outcome: {outcome}</code></p></body></html>"""

MESSAGES = {
    PaymentOutcome.APPLIED: "Done: the booking has been updated.",
    PaymentOutcome.DUPLICATE: "Already done: nothing changed.",
    PaymentOutcome.UNKNOWN_BOOKING: "There is no such booking.",
    PaymentOutcome.IGNORED: "Nothing to do.",
    PaymentOutcome.REFUND_REQUESTED: "The hold had run out and the slot was taken: cancelled, and refunded.",
    PaymentOutcome.AMOUNT_MISMATCH: "The amount does not match the booking.",
    PaymentOutcome.REJECTED: "This booking cannot take that payment in its current state.",
}


class CheckoutForm(Struct):
    outcome: str


@get("/sandbox/checkout/{booking_id:uuid}", include_in_schema=False)
async def checkout_page(booking_id: FromPath[UUID], get_booking: Inject[GetBooking]) -> Response[str]:
    view = await get_booking(booking_id, token=None, admin=True)
    b = view.booking
    amount = f"{b.price.amount_cents / 100:.2f} {b.price.currency}"
    page = PAGE.format(
        booking_id=html.escape(str(b.id)),
        amount=html.escape(amount),
        status=html.escape(b.status.value),
        payment_status=html.escape(b.payment_status.value),
    )
    return Response(page, media_type="text/html")


@post("/sandbox/checkout/{booking_id:uuid}", include_in_schema=False, status_code=200)
async def checkout_submit(
    booking_id: FromPath[UUID],
    data: Annotated[CheckoutForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    get_booking: Inject[GetBooking],
    payment_events: Inject[PaymentEventHandler],
) -> Response[str]:
    view = await get_booking(booking_id, token=None, admin=True)
    price = view.booking.price
    # One event per outcome and booking: pressing Pay twice is a duplicate, as a provider retry would be.
    event: PaymentSucceeded | PaymentFailureReported
    if data.outcome == "pay":
        event = PaymentSucceeded(
            "sandbox",
            f"sandbox:{booking_id}:paid",
            booking_id,
            price.amount_cents,
            price.currency,
            f"sandbox_{booking_id}",  # the reference the sandbox's session gave the booking
        )
    elif data.outcome == "fail":
        event = PaymentFailureReported(
            "sandbox", f"sandbox:{booking_id}:failed:{view.booking.version}", booking_id
        )
    else:  # only a hand-made request sends another outcome: it gets a problem, like any other 4xx
        raise InvalidRequest("choose Pay or Fail", {"outcome": "pay or fail"})
    outcome = await payment_events(event)
    status = 200 if outcome in (PaymentOutcome.APPLIED, PaymentOutcome.DUPLICATE) else 409
    return Response(
        RESULT.format(message=MESSAGES[outcome], outcome=outcome.value),
        status_code=status,
        media_type="text/html",
    )
