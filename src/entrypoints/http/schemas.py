"""The wire: msgspec structs for request and response bodies (and the OpenAPI document)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from operator import add
from typing import Annotated, Any
from uuid import UUID

from litestar.openapi.spec import OpenAPIFormat
from litestar.params import KwargDefinition
from msgspec import UNSET, Meta, Struct, UnsetType

from application.bookings.commands import BookingCreated, BookingView
from application.payments.commands import PaymentSession
from application.ports import QueuedMessage
from domain.availability import AvailableSlots
from domain.catalog import Offering
from domain.customer import EMAIL_PATTERN
from domain.extension import MAX_AMOUNT_CENTS, MAX_DESCRIPTION, MIN_AMOUNT_CENTS, Extension
from entrypoints.http.package_schemas import PackageOut, SessionItemOut, package_out, session_item

Aware = Annotated[datetime, Meta(tz=True, description="ISO 8601 with an offset; a naive time is refused")]
Short = Annotated[str, Meta(min_length=1, max_length=100)]
EMAIL_IN_TEXT = rf"^\s*{EMAIL_PATTERN}\s*$"
# An instant in UTC already written out as msgspec writes a datetime (see `utc_texts`); a date-time
# in the OpenAPI document like any other.
UtcText = Annotated[str, KwargDefinition(format=OpenAPIFormat.DATE_TIME)]


def schema_only(**keywords: object) -> dict[str, Any]:
    """A `Meta(extra_json_schema=...)` whose JSON Schema keywords go to the OpenAPI document (Litestar
    reads them under `extra`) for a rule msgspec does not check: the use case does, and answers 422."""
    return {"extra": keywords}


class CustomerIn(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=2, max_length=100)]
    # Checked by the use case once stripped of white space (422 `invalid_request`, `customer.email`).
    email: Annotated[
        str, Meta(min_length=3, max_length=255, extra_json_schema=schema_only(pattern=EMAIL_IN_TEXT))
    ]
    phone: Annotated[str, Meta(pattern=r"^\+?[0-9][0-9 ().-]{5,31}$")] | None = None
    locale: Annotated[str, Meta(pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")] = "en"


class AddressIn(Struct, forbid_unknown_fields=True):
    street: Annotated[str, Meta(min_length=1, max_length=200)]
    zip: Annotated[str, Meta(min_length=1, max_length=20)]
    city: Annotated[str, Meta(min_length=1, max_length=100)]
    lat: Annotated[float, Meta(ge=-90, le=90)] | None = None
    lng: Annotated[float, Meta(ge=-180, le=180)] | None = None


class VehicleIn(Struct, forbid_unknown_fields=True):
    brand: Short
    model: Short
    license_plate: Annotated[str, Meta(min_length=1, max_length=20)] | None = None


class CreateBookingIn(Struct, forbid_unknown_fields=True):
    offering_id: Short
    customer: CustomerIn
    start: Aware | None = None
    notes: Annotated[str, Meta(max_length=1000)] | None = None
    intake: Annotated[dict[str, Any], Meta(max_length=100)] | UnsetType = UNSET
    payment_provider: Annotated[str, Meta(max_length=32)] | None = None
    pickup_address: AddressIn | None = None
    delivery_address: AddressIn | None = None
    vehicle: VehicleIn | None = None


class ScheduleIn(Struct, forbid_unknown_fields=True):
    start: Aware
    timezone: Annotated[str, Meta(min_length=1, max_length=64)] | None = None


class PaymentOut(Struct):
    provider: str
    url: str | None = None
    client_secret: str | None = None


class ExtensionIn(Struct, forbid_unknown_fields=True):
    # Some text besides white space, and the amount's range: said in the schema, checked by the use case
    # (422 `invalid_request` naming the field).
    description: Annotated[
        str, Meta(min_length=1, max_length=MAX_DESCRIPTION, extra_json_schema=schema_only(pattern=r"\S"))
    ]
    amount_cents: Annotated[int, KwargDefinition(ge=MIN_AMOUNT_CENTS, le=MAX_AMOUNT_CENTS)]


class ExtensionOut(Struct):
    extension_id: UUID
    booking_id: UUID
    description: str
    amount_cents: int
    currency: str
    status: str
    failure_reason: str | None


class PaymentFailedOut(Struct):
    """402: the off-session charge did not go through; `detail` says what the customer must do."""

    code: str
    detail: str
    extension: ExtensionOut


class ExtensionPaymentOut(Struct):
    """The extension and where the customer pays it; `payment` null when there is nothing to pay."""

    extension: ExtensionOut
    payment: PaymentOut | None


def extension_out(extension: Extension) -> ExtensionOut:
    return ExtensionOut(
        extension.id,
        extension.booking_id,
        extension.description,
        extension.price.amount_cents,
        extension.price.currency,
        extension.status.value,
        extension.failure_reason,
    )


class PaymentRestartedOut(Struct):
    booking_id: UUID
    payment: PaymentOut
    expires_at: datetime | None


class BookingCreatedOut(Struct):
    booking_id: UUID
    booking_token: str
    status: str
    payment_status: str
    amount_cents: int
    currency: str
    start: datetime | None
    end: datetime | None
    resource_id: str | None
    requires_payment: bool
    payment: PaymentOut | None
    expires_at: datetime | None
    manage_url: str  # opens the booking's page in a browser (a secret: share it only with the customer)


class CustomerOut(Struct):
    name: str
    email: str
    phone: str | None


class BookingOut(Struct):
    booking_id: UUID
    offering_id: str
    status: str
    payment_status: str
    amount_cents: int
    currency: str
    start: datetime | None
    end: datetime | None
    resource_id: str | None
    requires_payment: bool
    payment: PaymentOut | None
    expires_at: datetime | None
    customer: CustomerOut | None
    notes: str | None
    intake: dict[str, Any]
    meeting_url: str | None
    references: dict[str, str | None]
    created_at: datetime
    # A package of sessions: what it bought, what is left, until when, and its sessions; else null, [].
    sessions_total: int | None = None
    sessions_left: int | None = None
    valid_until: datetime | None = None
    sessions: list[SessionItemOut] = []


class BookingList(Struct):
    items: list[BookingOut]


class SlotOut(Struct):
    start: UtcText
    end: UtcText
    remaining: int


class AvailabilityOut(Struct):
    slots: list[SlotOut]


class OfferingOut(Struct):
    id: str
    name: str
    kind: str
    description: str | None
    duration_minutes: int
    amount_cents: int
    currency: str
    requires_payment: bool
    resource_type: str | None
    capacity: int
    buffer_minutes: int
    slot_step_minutes: int
    timezone: str
    opening_hours: dict[str, list[str]]
    dispatch: bool
    package: PackageOut | None  # a package of sessions: booked without a start, then scheduled one by one


class OfferingList(Struct):
    items: list[OfferingOut]


def utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def payment_out(session: PaymentSession | None) -> PaymentOut | None:
    if session is None:
        return None
    return PaymentOut(session.provider, session.url, session.client_secret)


def created_out(created: BookingCreated, manage_url: str) -> BookingCreatedOut:
    return BookingCreatedOut(
        booking_id=created.booking_id,
        booking_token=created.booking_token,
        status=created.status,
        payment_status=created.payment_status,
        amount_cents=created.amount_cents,
        currency=created.currency,
        start=utc(created.start),
        end=utc(created.end),
        resource_id=created.resource_id,
        requires_payment=created.requires_payment,
        payment=payment_out(created.payment),
        expires_at=utc(created.expires_at),
        manage_url=manage_url,
    )


REFERENCE_KEYS = (
    "stripe_payment_intent",
    "stripe_checkout_session",
    "airwallex_payment_link",
    "acuity_appointment_id",
    "cal_booking_uid",
    "odoo_invoice_id",
)


def booking_out(view: BookingView) -> BookingOut:
    b, c = view.booking, view.customer
    refs = b.references
    payment = (
        PaymentOut(refs["payment_provider"], refs.get("payment_url")) if "payment_provider" in refs else None
    )
    return BookingOut(
        booking_id=b.id,
        offering_id=b.offering_id,
        status=b.status.value,
        payment_status=b.payment_status.value,
        amount_cents=b.price.amount_cents,
        currency=b.price.currency,
        start=utc(b.slot.start) if b.slot else None,
        end=utc(b.slot.end) if b.slot else None,
        resource_id=b.resource_id,
        requires_payment=not b.price.is_free,
        payment=payment,
        expires_at=utc(b.hold_expires_at) if b.status.value == "pending_payment" else None,
        customer=CustomerOut(c.name, c.email, c.phone) if c is not None else None,
        notes=b.notes,
        intake=dict(b.intake),
        meeting_url=refs.get("meeting_url"),
        references={key: refs.get(key) for key in REFERENCE_KEYS},
        created_at=b.created_at.astimezone(UTC),
        sessions_total=b.credits.total if b.credits else None,
        sessions_left=b.credits.left if b.credits else None,
        valid_until=utc(b.credits.valid_until) if b.credits else None,
        sessions=[session_item(s) for s in view.sessions],
    )


def availability_out(available: AvailableSlots) -> AvailabilityOut:
    """A month is some 1,500 slots: their instants become text in a few passes over lists, and an end
    that is another slot's start takes that one's text."""
    starts = available.starts
    times: dict[int, str] = {}
    start_texts = utc_texts(starts, times)
    known = dict(zip(starts, start_texts, strict=True))
    ends = list(map(add, starts, repeat(available.duration)))
    end_texts = [known.get(end) or utc_texts((end,), times)[0] for end in ends]
    return AvailabilityOut(list(map(SlotOut, start_texts, end_texts, available.remaining)))


_DAY = 86_400_000_000  # microseconds
_EPOCH_DAY = date(1970, 1, 1)


def utc_texts(micros: Iterable[int], times: dict[int, str] | None = None) -> list[str]:
    """Instants given as microseconds since the Unix epoch, written exactly as msgspec writes them as
    datetimes in UTC: `2027-01-01T09:30:00Z`, with six more digits (`.000250`) when the instant is not
    on a whole second.

    Each time of day is formatted once (`times` keeps them, across calls that share it), and the day's
    text once for each run of instants on one day, as sorted instants come.
    """
    times = {} if times is None else times
    texts = []
    day_start = day_end = 0
    day_text = ""
    for at in micros:
        if not day_start <= at < day_end:
            day_start = at - at % _DAY
            day_end = day_start + _DAY
            day_text = (_EPOCH_DAY + timedelta(days=day_start // _DAY)).isoformat() + "T"
        time_of_day = at - day_start
        time_text = times.get(time_of_day)
        if time_text is None:
            time_text = times[time_of_day] = _time_of_day_text(time_of_day)
        texts.append(day_text + time_text)
    return texts


def _time_of_day_text(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{text}.{fraction:06d}Z" if fraction else f"{text}Z"


def offering_out(o: Offering) -> OfferingOut:
    def hhmm(minute: int) -> str:
        return f"{minute // 60:02d}:{minute % 60:02d}"

    return OfferingOut(
        id=o.id,
        name=o.name,
        kind=o.kind.value,
        description=o.description,
        duration_minutes=int(o.duration.total_seconds() // 60),
        amount_cents=o.price.amount_cents,
        currency=o.price.currency,
        requires_payment=o.requires_payment,
        resource_type=o.resource_type,
        capacity=o.capacity,
        buffer_minutes=int(o.buffer.total_seconds() // 60),
        slot_step_minutes=int(o.slot_step.total_seconds() // 60),
        timezone=o.timezone.key,
        opening_hours={
            day: [f"{hhmm(r.start_minute)}-{hhmm(r.end_minute)}" for r in ranges]
            for day, ranges in o.opening_hours.items()
            if ranges
        },
        dispatch=o.dispatch,
        package=package_out(o),
    )


class SyncQueueItemOut(Struct):
    id: int
    topic: str
    booking_id: UUID | None
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


class SyncQueueOut(Struct):
    items: list[SyncQueueItemOut]


class SyncQueueRetriedOut(Struct):
    id: int
    state: str


def sync_queue_item_out(m: QueuedMessage) -> SyncQueueItemOut:
    return SyncQueueItemOut(
        m.id,
        m.topic,
        m.booking_id,
        m.state.value,
        m.attempts,
        m.next_attempt_at.astimezone(UTC),
        m.last_error,
    )
