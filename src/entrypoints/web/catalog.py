"""The booking path: the catalog, an offering's day of free times, the details form, and booking."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.bookings.commands import BookingCreated
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.queries import GetAvailability, GetOffering, ListOfferings
from application.errors import IdempotencyInProgress, InvalidRequest
from application.manage_links import ManageLinks
from application.ports import Clock
from application.tokens import token_hash
from domain.catalog import Offering
from domain.errors import DomainError
from entrypoints.http.bookings import create_command
from entrypoints.http.deps import Inject
from entrypoints.http.schemas import CreateBookingIn
from entrypoints.settings import Settings
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
from entrypoints.web.security import Csrf, booking_cookie

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BOOKABLE_DAYS = 366  # how far ahead the day pages go
# Form fields, and where each one goes in the JSON API's body (its checks are the form's checks).
FIELDS = {
    "name": ("customer", "name"),
    "email": ("customer", "email"),
    "phone": ("customer", "phone"),
    "notes": ("notes",),
    "street": ("pickup_address", "street"),
    "postcode": ("pickup_address", "zip"),
    "city": ("pickup_address", "city"),
    "brand": ("vehicle", "brand"),
    "model": ("vehicle", "model"),
    "plate": ("vehicle", "license_plate"),
}
DISPATCH_REQUIRED = ["phone", "street", "postcode", "city", "brand", "model"]
FIELD_OF = {".".join(path): name for name, path in FIELDS.items()} | {
    "pickup_address": "street",
    "vehicle": "brand",
}


@get("/")
async def catalog_page(
    request: AnyRequest, list_offerings: Inject[ListOfferings], settings: Inject[Settings]
) -> Template | Redirect:
    returning = request.query_params.get("booking_id")  # back from a hosted checkout
    if returning:
        try:
            return Redirect(f"/bookings/{uuid.UUID(returning)}", status_code=303)
        except ValueError:
            pass
    return render(request, "catalog.html", language(request, settings), offerings=list_offerings())


@get("/book/{offering_id:str}")
async def day_page(
    request: AnyRequest,
    offering_id: FromPath[str],
    get_offering: Inject[GetOffering],
    get_availability: Inject[GetAvailability],
    clock: Inject[Clock],
    settings: Inject[Settings],
) -> Template:
    lang = language(request, settings)
    offering = get_offering(offering_id)
    day, today = _day(request.query_params.get("date"), offering, clock.now())
    starts = await free_starts(get_availability, offering, day)
    return render(
        request,
        "day.html",
        lang,
        offering=offering,
        day=day,
        starts=starts,
        times=time_links(lang, f"/book/{offering.id}/details", starts, offering),
        previous=day - timedelta(days=1) if day > today else None,
        next=day + timedelta(days=1) if day < today + timedelta(days=BOOKABLE_DAYS) else None,
        first_day=today,
        last_day=today + timedelta(days=BOOKABLE_DAYS),
    )


@get("/book/{offering_id:str}/details")
async def details_page(
    request: AnyRequest,
    offering_id: FromPath[str],
    get_offering: Inject[GetOffering],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Template:
    lang = language(request, settings)
    offering = get_offering(offering_id)
    start = parse_instant(request.query_params.get("start"))
    if start is None:
        return error_page(request, lang, 404)
    return await _form(request, lang, csrf, offering, start, {"key": uuid.uuid4().hex}, {})


@post("/book/{offering_id:str}", status_code=200)
async def book(
    request: AnyRequest,
    offering_id: FromPath[str],
    get_offering: Inject[GetOffering],
    create_booking: Inject[CreateBookingHandler],
    manage_links: Inject[ManageLinks],
    csrf: Inject[Csrf],
    settings: Inject[Settings],
) -> Response[Any] | Template:
    form, lang = await posted_form(request, csrf, settings)
    offering = get_offering(offering_id)
    start = parse_instant(form.get("start"))
    key = form.get("key")
    if start is None or not isinstance(key, str) or not 8 <= len(key) <= 255:
        return error_page(request, lang, 400)
    values = {name: str(form.get(name) or "").strip() for name in FIELDS} | {"key": key}
    body, errors = _body(offering, start, values, lang)
    if body is None:
        return await _form(request, lang, csrf, offering, start, values, errors, status=422)
    try:
        created = await _create(create_booking, create_command(body, key))
    except InvalidRequest as exc:
        wrong = {FIELD_OF.get(field, "start"): "invalid" for field in exc.fields}
        return await _form(request, lang, csrf, offering, start, values, wrong, status=422)
    except DomainError as exc:
        if exc.code not in {"slot_unavailable", "outside_opening_hours"}:
            raise
        return await _form(request, lang, csrf, offering, start, values, {}, taken=True, status=409)
    cookie = await manage_links.cookie(created.booking_id, token_hash(created.booking_token))
    cookies = [booking_cookie(created.booking_id, cookie, secure=settings.secure_cookies)]
    return payment_step(request, lang, created, cookies, settings)


async def _create(create_booking: CreateBookingHandler, command: Any) -> BookingCreated:
    """A second press of Book while the first is still booking waits for the first one's answer."""
    for _ in range(20):
        try:
            return await create_booking(command)
        except IdempotencyInProgress:
            await asyncio.sleep(0.25)
    return await create_booking(command)


async def free_starts(get_availability: GetAvailability, offering: Offering, day: date) -> list[datetime]:
    zone = offering.timezone
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    available = await get_availability(offering.id, start.astimezone(UTC), end.astimezone(UTC))
    return [EPOCH + timedelta(microseconds=start) for start in available.starts]


def time_links(lang: Lang, path: str, starts: list[datetime], offering: Offering) -> list[tuple[str, str]]:
    """(href, `HH:MM`) per free start, built without a URL encoder per slot: a day has dozens."""
    suffix = f"&lang={lang.code}" if lang.explicit else ""
    zone = offering.timezone
    return [
        (f"{path}?start={s:%Y-%m-%dT%H:%MZ}{suffix}", s.astimezone(zone).strftime("%H:%M")) for s in starts
    ]


def _day(asked: str | None, offering: Offering, now: datetime) -> tuple[date, date]:
    today = now.astimezone(offering.timezone).date()
    return pick_day(asked, today), today


def pick_day(asked: str | None, today: date) -> date:
    """The asked `YYYY-MM-DD` within the bookable days, else today."""
    try:
        day = date.fromisoformat(asked) if asked else today
    except ValueError:
        day = today
    return min(max(day, today), today + timedelta(days=BOOKABLE_DAYS))


def parse_instant(text: Any) -> datetime | None:
    """An aware instant from a query or form field, or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None and 1970 < value.year < 3000 else None


def _body(
    offering: Offering, start: datetime, values: dict[str, str], lang: Lang
) -> tuple[CreateBookingIn | None, dict[str, str]]:
    """The JSON API's body built from the form and checked by its rules, or the fields that break them."""
    wanted = [n for n in FIELDS if offering.dispatch or FIELDS[n][0] not in {"pickup_address", "vehicle"}]
    required = ["name", "email"] + (DISPATCH_REQUIRED if offering.dispatch else [])
    errors = {name: "required" for name in required if not values[name]}
    if errors:
        return None, errors
    raw: dict[str, Any] = {"offering_id": offering.id, "start": start.isoformat()}
    for name in (n for n in wanted if values[n]):
        *parents, leaf = FIELDS[name]
        target = raw
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = values[name]
    raw["customer"]["locale"] = lang.code
    try:
        return msgspec.convert(raw, CreateBookingIn), {}
    except msgspec.ValidationError as exc:
        path = str(exc).rpartition("at `$.")[2].rstrip("`").split("[")[0]
        return None, {FIELD_OF.get(path, "name"): "invalid"}


async def _form(
    request: AnyRequest,
    lang: Lang,
    csrf: Csrf,
    offering: Offering,
    start: datetime,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    taken: bool = False,
    status: int = 200,
) -> Template:
    token, cookies = await csrf_token(request, csrf)
    return render(
        request,
        "details.html",
        lang,
        status=status,
        cookies=cookies,
        offering=offering,
        start=start,
        values=values,
        errors=errors,
        taken=taken,
        csrf=token,
    )
