"""The sandbox checkout: a local page whose Pay and Fail buttons drive the real payment-event use case,
standing in for a provider's page while none is configured; it returns to the booking's page.

Like a provider's page it takes no CSRF token and no credential (the sandbox moves no money, and
`curl -d outcome=pay` is how the README's walkthrough pays)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.bookings.queries import GetBooking, GetOffering
from application.errors import InvalidRequest
from application.manage_links import ManageLinks
from application.payments.commands import PaymentFailureReported, PaymentOutcome, PaymentSucceeded
from application.payments.payment_events import PaymentEventHandler
from domain.errors import DomainError
from entrypoints.http.deps import Inject
from entrypoints.settings import Settings
from entrypoints.web.pages import AnyRequest, language, render


@get("/sandbox/checkout/{booking_id:uuid}")
async def checkout_page(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    settings: Inject[Settings],
) -> Template:
    view = await get_booking(booking_id, token=None, admin=True)
    lang = language(request, settings, view.customer.locale if view.customer else None)
    try:
        offering = get_offering(view.booking.offering_id)
    except DomainError:
        offering = None
    return render(request, "sandbox.html", lang, booking=view.booking, offering=offering, outcome=None)


@post("/sandbox/checkout/{booking_id:uuid}", status_code=200)
async def checkout_submit(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    get_booking: Inject[GetBooking],
    payment_events: Inject[PaymentEventHandler],
    manage_links: Inject[ManageLinks],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    view = await get_booking(booking_id, token=None, admin=True)
    booking = view.booking
    choice = (await request.form()).get("outcome")
    # One event per outcome and booking: pressing Pay twice is a duplicate, as a provider retry would be.
    event: PaymentSucceeded | PaymentFailureReported
    if choice == "pay":
        price = booking.price
        event = PaymentSucceeded(
            "sandbox",
            f"sandbox:{booking_id}:paid",
            booking_id,
            price.amount_cents,
            price.currency,
            f"sandbox_{booking_id}",  # the reference the sandbox's session gave the booking
        )
    elif choice == "fail":
        event = PaymentFailureReported(
            "sandbox", f"sandbox:{booking_id}:failed:{booking.version}", booking_id
        )
    else:  # only a hand-made request sends another outcome: it gets a problem, like any other 4xx
        raise InvalidRequest("choose Pay or Fail", {"outcome": "pay or fail"})
    outcome = await payment_events(event)
    if outcome in (PaymentOutcome.APPLIED, PaymentOutcome.DUPLICATE):
        # Back to the booking's page through its manage link, which opens it in this browser too.
        link = await manage_links.url(booking.id, booking.token_hash)
        return Redirect("/manage/" + link.rsplit("/", 1)[1], status_code=303)
    lang = language(request, settings, view.customer.locale if view.customer else None)
    return render(
        request, "sandbox.html", lang, status=409, booking=booking, offering=None, outcome=outcome.value
    )
