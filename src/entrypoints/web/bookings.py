"""A customer's own booking: the manage link exchanged for a cookie, the booking page, and what can be
done there today (pay or try again, schedule a paid booking, answer extensions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.bookings.commands import BookingView
from application.bookings.queries import GetAvailability, GetBooking, GetOffering
from application.errors import NotFound
from application.manage_links import ManageLinks
from application.payments.extensions import ApproveExtension, DeclineExtension, PayExtension
from application.payments.retry_payment import RetryPayment
from application.ports import Clock
from application.scheduling.commands import ScheduleBooking
from application.scheduling.schedule import ScheduleBookingHandler
from application.tokens import ManageGrant
from domain.booking import Booking
from domain.catalog import Money
from domain.errors import DomainError
from domain.statuses import BookingStatus, PaymentStatus
from entrypoints.http.deps import Inject
from entrypoints.settings import Settings
from entrypoints.web.catalog import BOOKABLE_DAYS, free_starts, parse_instant, pick_day
from entrypoints.web.pages import (
    AnyRequest,
    Lang,
    csrf_token,
    error_page,
    language,
    posted_form,
    render,
)
from entrypoints.web.payment import payment_step
from entrypoints.web.security import BOOKING_COOKIE, Csrf, booking_cookie


def booking_language(request: AnyRequest, settings: Settings, view: BookingView) -> Lang:
    """`?lang=`, else the booking's customer's language, else the browser's."""
    return language(request, settings, view.customer.locale if view.customer else None)


@get("/manage/{opaque:str}")
async def open_manage_link(
    request: AnyRequest,
    opaque: FromPath[str],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    """The link's secret leaves the address bar: a cookie for its booking, then 303 to the page."""
    grant = await manage_links.grant_of_link(opaque)
    try:
        view = await get_booking(grant.booking_id, token=grant, admin=False) if grant else None
    except NotFound:
        view = None
    if view is None:
        return error_page(request, language(request, settings), 404)
    booking = view.booking
    value = await manage_links.cookie(booking.id, booking.token_hash)
    cookie = booking_cookie(booking.id, value, secure=settings.secure_cookies)
    lang = booking_language(request, settings, view)
    return Redirect(lang.link(f"/bookings/{booking.id}"), status_code=303, cookies=[cookie])


async def grant_of(request: AnyRequest, booking_id: UUID, links: ManageLinks) -> ManageGrant | None:
    return await links.grant_of_cookie(booking_id, request.cookies.get(BOOKING_COOKIE))


async def own_booking(
    request: AnyRequest, booking_id: UUID, links: ManageLinks, get_booking: GetBooking
) -> tuple[BookingView, ManageGrant] | None:
    grant = await grant_of(request, booking_id, links)
    if grant is None:
        return None
    try:
        return await get_booking(booking_id, token=grant, admin=False, extensions=True), grant
    except NotFound:
        return None


@get("/bookings/{booking_id:uuid}")
async def booking_page(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    clock: Inject[Clock],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Template:
    found = await own_booking(request, booking_id, manage_links, get_booking)
    if found is None:
        return error_page(request, language(request, settings), 404)
    view, _ = found
    lang = booking_language(request, settings, view)
    token, cookies = await csrf_token(request, csrf)
    booking = view.booking
    return render(
        request,
        "booking.html",
        lang,
        cookies=cookies,
        csrf=token,
        booking=booking,
        customer=view.customer,
        extensions=view.extensions,
        offering=offering_of(get_offering, booking.offering_id),
        can_pay=booking.can_pay(clock.now()),
        can_schedule=booking.slot is None
        and booking.status is BookingStatus.CONFIRMED
        and booking.payment_status is PaymentStatus.PAID,
        can_move=can_move(booking, clock.now()),
        can_cancel=booking.status in CANCELLABLE,
        notice=request.query_params.get("notice"),
        refunded=refunded(request, booking),
    )


# What a customer may cancel from the page (an expired, ended or started booking has nothing to cancel).
CANCELLABLE = frozenset(
    {BookingStatus.PENDING, BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED, BookingStatus.SCHEDULED}
)


def can_move(booking: Booking, now: datetime) -> bool:
    """A booking with a time that is confirmed, scheduled, or awaiting payment while its hold lasts."""
    try:
        booking.check_movable(now)
    except DomainError:
        return False
    return True


def refunded(request: AnyRequest, booking: Booking) -> Money | None:
    """Right after a cancellation: the refund it gave (`?refund=` cents, never more than the price)."""
    asked = request.query_params.get("refund")
    if booking.status is not BookingStatus.CANCELLED or not asked or not asked.isdigit():
        return None
    return Money(min(int(asked[:12]), booking.price.amount_cents), booking.price.currency)


def offering_of(get_offering: GetOffering, offering_id: str) -> Any:
    try:
        return get_offering(offering_id)
    except DomainError:
        return None


@post("/bookings/{booking_id:uuid}/pay", status_code=200)
async def pay(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    retry_payment: Inject[RetryPayment],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    _, lang = await posted_form(request, csrf, settings)
    grant = await grant_of(request, booking_id, manage_links)
    if grant is None:
        return error_page(request, lang, 404)
    try:
        restarted = await retry_payment(booking_id, token=grant)
    except DomainError as exc:
        if exc.code != "payment_not_retryable":
            raise
        return Redirect(lang.link(f"/bookings/{booking_id}", notice="not_payable"), status_code=303)
    return payment_step(request, lang, restarted, [], settings)


@get("/bookings/{booking_id:uuid}/schedule")
async def schedule_page(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    get_booking: Inject[GetBooking],
    get_offering: Inject[GetOffering],
    get_availability: Inject[GetAvailability],
    clock: Inject[Clock],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Template:
    found = await own_booking(request, booking_id, manage_links, get_booking)
    if found is None:
        return error_page(request, language(request, settings), 404)
    view, _ = found
    lang = booking_language(request, settings, view)
    offering = get_offering(view.booking.offering_id)
    today = clock.now().astimezone(offering.timezone).date()
    day = pick_day(request.query_params.get("date"), today)
    token, cookies = await csrf_token(request, csrf)
    return render(
        request,
        "schedule.html",
        lang,
        cookies=cookies,
        csrf=token,
        booking=view.booking,
        offering=offering,
        day=day,
        starts=await free_starts(get_availability, offering, day),
        previous=day - timedelta(days=1) if day > today else None,
        next=day + timedelta(days=1) if day < today + timedelta(days=BOOKABLE_DAYS) else None,
        first_day=today,
        last_day=today + timedelta(days=BOOKABLE_DAYS),
    )


@post("/bookings/{booking_id:uuid}/schedule", status_code=200)
async def schedule(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    manage_links: Inject[ManageLinks],
    schedule_booking: Inject[ScheduleBookingHandler],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    form, lang = await posted_form(request, csrf, settings)
    grant = await grant_of(request, booking_id, manage_links)
    start = parse_instant(form.get("start"))
    if grant is None or start is None:
        return error_page(request, lang, 404 if grant is None else 400)
    try:
        await schedule_booking(ScheduleBooking(booking_id, start, token=grant))
    except DomainError as exc:
        if exc.code not in {"slot_unavailable", "outside_opening_hours", "invalid_request"}:
            raise
        page = lang.link(f"/bookings/{booking_id}/schedule", notice="taken")
        return Redirect(page, status_code=303)
    return Redirect(lang.link(f"/bookings/{booking_id}", notice="scheduled"), status_code=303)


@post("/bookings/{booking_id:uuid}/extensions/{extension_id:uuid}/{action:str}", status_code=200)
async def answer_extension(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    extension_id: FromPath[UUID],
    action: FromPath[str],
    manage_links: Inject[ManageLinks],
    approve_extension: Inject[ApproveExtension],
    decline_extension: Inject[DeclineExtension],
    pay_extension: Inject[PayExtension],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    """`approve` charges the saved card, `decline` refuses, `pay` opens the provider's page."""
    _, lang = await posted_form(request, csrf, settings)
    grant = await grant_of(request, booking_id, manage_links)
    if grant is None or action not in {"approve", "decline", "pay"}:
        return error_page(request, lang, 404)
    back = f"/bookings/{booking_id}"
    try:
        if action == "approve":
            extension = await approve_extension(booking_id, extension_id, token=grant)
            notice = "extension_failed" if extension.status.value == "failed" else "extension_approved"
        elif action == "decline":
            await decline_extension(booking_id, extension_id, token=grant)
            notice = "extension_declined"
        else:
            paying = await pay_extension(booking_id, extension_id, token=grant)
            if paying.payment is not None and paying.payment.url:
                return Redirect(paying.payment.url, status_code=303)
            notice = "extension_approved"
    except DomainError as exc:
        if exc.code not in {"illegal_transition", "extension_not_allowed"}:
            raise
        notice = "extension_unchanged"
    return Redirect(lang.link(back, notice=notice), status_code=303)
