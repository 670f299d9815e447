"""A customer's (or admin's) changes to a booking: move it to another time, see what cancelling gives."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from msgspec import Struct

from application.bookings.commands import CancellationQuote, RescheduleBooking
from application.bookings.lifecycle import QuoteCancellation
from application.bookings.queries import GetBooking, check_instant
from application.bookings.reschedule import RescheduleBookingHandler
from entrypoints.http.auth import token_or_admin
from entrypoints.http.deps import Inject
from entrypoints.http.json_body import json_body
from entrypoints.http.openapi import JSON_BODY, problems
from entrypoints.http.schemas import Aware, BookingOut, booking_out, utc
from entrypoints.settings import Settings


class RescheduleIn(Struct, forbid_unknown_fields=True):
    start: Aware


class CancelledOut(BookingOut, kw_only=True):
    """The cancelled booking and the refund this cancellation gave (0 for none, or a repeat)."""

    refund_cents: int


class CancellationQuoteOut(Struct):
    """What cancelling now gives back: all of it (`free`) until `free_until`, then `late_refund_percent`."""

    booking_id: UUID
    refund_cents: int
    paid_cents: int
    currency: str
    free: bool
    free_until: datetime | None
    late_refund_percent: int


class BookingChangesController(Controller):
    path = "/v1/bookings"
    tags = ["bookings"]

    @post(
        "/{booking_id:uuid}/reschedule",
        status_code=200,
        before_request=json_body,
        responses=problems(
            *JSON_BODY,
            "unauthorized",
            "not_found",
            "unknown_offering",
            "illegal_transition",
            "slot_unavailable",
            "conflict",
            "invalid_request",
            "outside_validity",
        ),
    )
    async def reschedule(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        data: JSONBody[RescheduleIn],
        reschedule_booking: Inject[RescheduleBookingHandler],
        get_booking: Inject[GetBooking],
        settings: Inject[Settings],
    ) -> BookingOut:
        """Moves the booking to `start` in one transaction: the old time stays held until the new one
        is. 409 `slot_unavailable` when taken, 409 `illegal_transition` when the booking cannot move,
        422 for a start in the past or outside opening hours, or a package's session moved past its
        package's `valid_until` (`outside_validity`)."""
        token, admin = token_or_admin(request, settings.admin_api_key)
        check_instant("start", data.start)
        await reschedule_booking(RescheduleBooking(booking_id, data.start, token=token, admin=admin))
        return booking_out(await get_booking(booking_id, token=token, admin=admin))

    @get("/{booking_id:uuid}/cancellation", responses=problems("unauthorized", "not_found"))
    async def cancellation(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        quote_cancellation: Inject[QuoteCancellation],
        settings: Inject[Settings],
    ) -> CancellationQuoteOut:
        """The refund the offering's cancellation policy gives if the booking is cancelled now."""
        token, admin = token_or_admin(request, settings.admin_api_key)
        return quote_out(await quote_cancellation(booking_id, token=token, admin=admin))


def quote_out(quote: CancellationQuote) -> CancellationQuoteOut:
    return CancellationQuoteOut(
        booking_id=quote.booking_id,
        refund_cents=quote.refund_cents,
        paid_cents=quote.paid_cents,
        currency=quote.currency,
        free=quote.free,
        free_until=utc(quote.free_until),
        late_refund_percent=quote.late_refund_percent,
    )
