"""Changing a booking from its page: `Change time` (a day's free times, a confirmation, `Move booking`)
and `Cancel booking` (the refund the offering's policy gives now, then `Yes, cancel`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.bookings.commands import BookingView, RescheduleBooking
from application.bookings.lifecycle import CancelBooking, QuoteCancellation
from application.bookings.queries import GetBooking, GetDayStarts, GetOffering
from application.bookings.reschedule import RescheduleBookingHandler
from application.manage_links import ManageLinks
from application.ports import Clock
from domain.catalog import Money, Offering
from domain.errors import DomainError
from domain.statuses import BookingStatus
from entrypoints.http.deps import Inject
from entrypoints.settings import Settings
from entrypoints.web.bookings import CANCELLABLE, booking_language, can_move, own_booking
from entrypoints.web.catalog import BOOKABLE_DAYS, parse_instant, pick_day, time_links
from entrypoints.web.pages import (
    AnyRequest,
    Lang,
    csrf_token,
    error_page,
    language,
    posted_form,
    render,
)
from entrypoints.web.security import Csrf

# What a refused move answers: the picker again, saying why, with this status.
REFUSED = {
    "slot_unavailable": ("taken", 409),
    "invalid_request": ("invalid", 422),
    "outside_opening_hours": ("invalid", 422),
    "outside_validity": ("validity", 422),
}


def _back(lang: Lang, booking_id: UUID, **query: object) -> Redirect:
    return Redirect(lang.link(f"/bookings/{booking_id}", **query), status_code=303)


async def _picker(
    request: AnyRequest,
    lang: Lang,
    view: BookingView,
    offering: Offering,
    get_day_starts: GetDayStarts,
    now: datetime,
    day: date | None = None,
    *,
    problem: str | None = None,
    status: int = 200,
) -> Template:
    """The day's free times, each a link to the confirmation; `problem` says why a move was refused."""
    today = now.astimezone(offering.timezone).date()
    day = day or pick_day(request.query_params.get("date"), today)
    day = min(max(day, today), today + timedelta(days=BOOKABLE_DAYS))
    found = await get_day_starts(offering.id, day)
    starts = [start.astimezone(UTC) for start in found.starts]
    here = f"/bookings/{view.booking.id}/move"
    return render(
        request,
        "move.html",
        lang,
        status=status,
        booking=view.booking,
        offering=offering,
        day=day,
        starts=starts,
        times=time_links(lang, f"{here}/confirm", starts, offering),
        previous=day - timedelta(days=1) if day > today else None,
        next=day + timedelta(days=1) if day < today + timedelta(days=BOOKABLE_DAYS) else None,
        first_day=today,
        last_day=today + timedelta(days=BOOKABLE_DAYS),
        problem=problem,
    )


@get("/bookings/{booking_id:uuid}/move")
async def move_page(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    get_day_starts: Inject[GetDayStarts],
    clock: Inject[Clock],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    found = await own_booking(request, booking_id, manage_links, get_booking)
    if found is None:
        return error_page(request, language(request, settings), 404)
    view, _ = found
    lang = booking_language(request, settings, view)
    if not can_move(view.booking, clock.now()):
        return _back(lang, booking_id, notice="not_movable")
    offering = get_offering(view.booking.offering_id)
    return await _picker(request, lang, view, offering, get_day_starts, clock.now())


@get("/bookings/{booking_id:uuid}/move/confirm")
async def move_confirm_page(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    clock: Inject[Clock],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    found = await own_booking(request, booking_id, manage_links, get_booking)
    start = parse_instant(request.query_params.get("start"))
    if found is None or start is None:
        return error_page(request, language(request, settings), 404)
    view, _ = found
    lang = booking_language(request, settings, view)
    if not can_move(view.booking, clock.now()):
        return _back(lang, booking_id, notice="not_movable")
    token, cookies = await csrf_token(request, csrf)
    return render(
        request,
        "move_confirm.html",
        lang,
        cookies=cookies,
        csrf=token,
        booking=view.booking,
        offering=get_offering(view.booking.offering_id),
        start=start,
    )


@post("/bookings/{booking_id:uuid}/move", status_code=200)
async def move(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    get_day_starts: Inject[GetDayStarts],
    reschedule_booking: Inject[RescheduleBookingHandler],
    clock: Inject[Clock],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    """Moves atomically (the old time is kept until the new one is held); a refused time answers the
    picker again on that day, saying why."""
    form, lang = await posted_form(request, csrf, settings)
    found = await own_booking(request, booking_id, manage_links, get_booking)
    start = parse_instant(form.get("start"))
    if found is None or start is None:
        return error_page(request, lang, 404 if found is None else 400)
    view, grant = found
    try:
        await reschedule_booking(RescheduleBooking(booking_id, start, token=grant))
    except DomainError as exc:
        if exc.code == "illegal_transition":
            return _back(lang, booking_id, notice="not_movable")
        if exc.code not in REFUSED:
            raise
        problem, status = REFUSED[exc.code]
        offering = get_offering(view.booking.offering_id)
        day = start.astimezone(offering.timezone).date()
        return await _picker(
            request, lang, view, offering, get_day_starts, clock.now(), day, problem=problem, status=status
        )
    return _back(lang, booking_id, notice="moved")


@get("/bookings/{booking_id:uuid}/cancel")
async def cancel_page(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    quote_cancellation: Inject[QuoteCancellation],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    """The refund cancelling now gives, stated before the customer confirms."""
    found = await own_booking(request, booking_id, manage_links, get_booking)
    if found is None:
        return error_page(request, language(request, settings), 404)
    view, grant = found
    lang = booking_language(request, settings, view)
    if view.booking.status not in CANCELLABLE:
        return _back(lang, booking_id, notice="not_cancellable")
    quote = await quote_cancellation(booking_id, token=grant, admin=False)
    token, cookies = await csrf_token(request, csrf)
    return render(
        request,
        "cancel.html",
        lang,
        cookies=cookies,
        csrf=token,
        booking=view.booking,
        offering=get_offering(view.booking.offering_id),
        quote=quote,
        refund=Money(quote.refund_cents, quote.currency),
    )


@post("/bookings/{booking_id:uuid}/cancel", status_code=200)
async def cancel(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    cancel_booking: Inject[CancelBooking],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    """Cancels by the offering's policy, then the booking's page says what was refunded."""
    _, lang = await posted_form(request, csrf, settings)
    found = await own_booking(request, booking_id, manage_links, get_booking)
    if found is None:
        return error_page(request, lang, 404)
    view, grant = found
    if view.booking.status is BookingStatus.CANCELLED:  # a second press: cancelled already
        return _back(lang, booking_id)
    try:
        cancelled = await cancel_booking(booking_id, token=grant, admin=False)
    except DomainError as exc:
        if exc.code != "illegal_transition":
            raise
        return _back(lang, booking_id, notice="not_cancellable")
    return _back(lang, booking_id, notice="cancelled", refund=cancelled.refund_cents)
