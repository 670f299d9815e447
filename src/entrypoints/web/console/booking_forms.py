"""The forms of a booking's console page, each run as the signed-in member (the audit trail names them):
cancel and refund (owners), propose extra work, assign a resource, change the time, mark ready, send the
confirmation again. Each answers 303 back to the page with a status line (`?notice=`), or the page again
with what was wrong (409, 422); a form without its CSRF token is a 403 page and changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.bookings.commands import RescheduleBooking
from application.bookings.lifecycle import CancelBooking
from application.bookings.reschedule import RescheduleBookingHandler
from application.dispatch.trip_updates import MarkReady
from application.errors import InvalidRequest, NotFound, UnknownOffering
from application.payments.commands import ProposeExtension
from application.payments.extensions import ProposeExtensionHandler
from domain.accounting import minor_units
from domain.errors import DomainError
from domain.staff import StaffMember
from entrypoints.http.deps import Inject
from entrypoints.http.errors import STATUS_OF_CODE
from entrypoints.web.console.access import as_staff
from entrypoints.web.console.booking_page import PAGE, UTC_ZONE, Page, Problem
from entrypoints.web.pages import AnyRequest

Query = dict[str, object]
# A use case's field names as the forms name them.
FORM_FIELD = {"amount_cents": "amount", "start": "start", "resource_id": "resource_id"}


async def _act(
    request: AnyRequest,
    booking_id: UUID,
    page: Page,
    action: str,
    run: Callable[[dict[str, Any]], Awaitable[Query]],
    *,
    owner: bool = False,
) -> Redirect | Template:
    member: StaffMember = await page.console.member(request, owner=owner)
    form = await page.console.form(request)
    lang = page.console.language(request, form)
    try:
        with as_staff(member):
            query = await run(form)
    except NotFound:
        raise
    except DomainError as exc:
        problem = _problem(action, exc)
        return await page.render(request, member, booking_id, lang, problem=problem, form=form)
    return page.console.back(f"/console/bookings/{booking_id}", lang, **query)


def _problem(action: str, exc: DomainError) -> Problem:
    field = None
    if isinstance(exc, InvalidRequest) and exc.fields:
        field = FORM_FIELD.get(next(iter(exc.fields)), next(iter(exc.fields)))
    return Problem(action, exc.code, STATUS_OF_CODE.get(exc.code, 409), field)


def parse_amount(text: object, currency: str, *, field: str = "amount") -> int | None:
    """`20.00` (or `20,00`) in the currency's units, as its minor units; empty is None. Anything else (a
    negative amount, more than two decimals) is refused naming `field`."""
    value = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not value:
        return None
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        amount = Decimal(value)
        exact = amount.is_finite() and amount >= 0 and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise InvalidRequest("not an amount", {field: "an amount like 20.00"})
    return minor_units(amount, currency)


def parse_local(text: object, zone: ZoneInfo) -> datetime:
    """A `datetime-local` value (`2026-06-02T10:00`) in the offering's zone, as an aware instant; a wall
    time that does not exist there (the spring-forward gap) is refused."""
    try:
        naive = datetime.fromisoformat(str(text or "").strip())
    except ValueError as exc:
        raise InvalidRequest("not a time", {"start": "a day and a time"}) from exc
    if naive.tzinfo is not None:
        raise InvalidRequest("not a local time", {"start": "a day and a time"})
    local = naive.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidRequest("a time that does not exist", {"start": "a day and a time"})
    return local


@post(PAGE + "/cancel", status_code=200)
async def cancel_and_refund(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    cancel_booking: Inject[CancelBooking],
    console_booking_page: Inject[Page],
) -> Redirect | Template:
    """Owners only: cancels and refunds `amount` (currency units; empty: all that was paid)."""
    page = console_booking_page

    async def run(form: dict[str, Any]) -> Query:
        view = await page.get_booking(booking_id, token=None, admin=True)
        cents = parse_amount(form.get("amount"), view.booking.price.currency)
        done = await cancel_booking(booking_id, token=None, admin=True, refund_cents=cents)
        return {"notice": "cancelled", "refund": done.refund_cents}

    return await _act(request, booking_id, page, "cancel", run, owner=True)


@post(PAGE + "/extensions", status_code=200)
async def propose_extension(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    propose_extension: Inject[ProposeExtensionHandler],
    console_booking_page: Inject[Page],
) -> Redirect | Template:
    page = console_booking_page

    async def run(form: dict[str, Any]) -> Query:
        view = await page.get_booking(booking_id, token=None, admin=True)
        cents = parse_amount(form.get("extension_amount"), view.booking.price.currency, field="amount")
        description = str(form.get("description") or "").strip()
        if cents is None:
            raise InvalidRequest("no amount", {"amount": "an amount like 20.00"})
        await propose_extension(ProposeExtension(booking_id, description, cents))
        return {"notice": "extension_proposed"}

    return await _act(request, booking_id, page, "extension", run)


@post(PAGE + "/assign", status_code=200)
async def assign(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    console_booking_page: Inject[Page],
) -> Redirect | Template:
    page = console_booking_page

    async def run(form: dict[str, Any]) -> Query:
        await page.actions.assign(booking_id, str(form.get("resource_id") or ""))
        return {"notice": "assigned"}

    return await _act(request, booking_id, page, "assign", run)


@post(PAGE + "/move", status_code=200)
async def change_time(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    reschedule_booking: Inject[RescheduleBookingHandler],
    console_booking_page: Inject[Page],
) -> Redirect | Template:
    """`start` is a `datetime-local` value in the offering's time zone."""
    page = console_booking_page

    async def run(form: dict[str, Any]) -> Query:
        view = await page.get_booking(booking_id, token=None, admin=True)
        try:
            zone = page.get_offering(view.booking.offering_id).timezone
        except UnknownOffering:
            zone = UTC_ZONE
        start = parse_local(form.get("start"), zone)
        await reschedule_booking(RescheduleBooking(booking_id, start, admin=True))
        return {"notice": "moved"}

    return await _act(request, booking_id, page, "move", run)


@post(PAGE + "/ready", status_code=200)
async def mark_ready(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    mark_ready: Inject[MarkReady],
    console_booking_page: Inject[Page],
) -> Redirect | Template:
    page = console_booking_page

    async def run(_: dict[str, Any]) -> Query:
        await mark_ready(booking_id)
        return {"notice": "ready"}

    return await _act(request, booking_id, page, "ready", run)


@post(PAGE + "/resend", status_code=200)
async def resend_confirmation(
    request: AnyRequest,
    booking_id: FromPath[UUID],
    console_booking_page: Inject[Page],
) -> Redirect | Template:
    page = console_booking_page

    async def run(_: dict[str, Any]) -> Query:
        await page.actions.resend_confirmation(booking_id)
        return {"notice": "resent"}

    return await _act(request, booking_id, page, "resend", run)
