"""Small builders for domain tests: offerings, bookings and instants, with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from domain.booking import Booking
from domain.catalog import WEEKDAYS, Money, Offering, OfferingKind, Resource, TimeRange
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
HOLD = timedelta(minutes=30)
FREE = Money(0, "EUR")
PAID = Money(4500, "EUR")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def every_day(*ranges: tuple[int, int]) -> dict[str, tuple[TimeRange, ...]]:
    """Opening hours, the same every day, given as (start, end) local minutes of the day."""
    return {day: tuple(TimeRange(start, end) for start, end in ranges) for day in WEEKDAYS}


def an_offering(
    *,
    opens: str = "09:00",
    closes: str = "12:00",
    duration: int = 60,
    step: int = 60,
    buffer: int = 0,
    capacity: int = 1,
    resource_type: str | None = None,
    price: Money = PAID,
    timezone: ZoneInfo = PARIS,
) -> Offering:
    """An offering open every day between `opens` and `closes` local time; durations in minutes."""
    return Offering(
        id="massage",
        name="Massage",
        kind=OfferingKind.SESSION,
        duration=minutes(duration),
        price=price,
        timezone=timezone,
        opening_hours=every_day((_minute_of_day(opens), _minute_of_day(closes))),
        resource_type=resource_type,
        capacity=capacity,
        buffer=minutes(buffer),
        slot_step=minutes(step),
    )


def resources(*ids: str, resource_type: str = "room") -> list[Resource]:
    return [Resource(id=rid, type=resource_type, name=rid.title()) for rid in ids]


def a_booking(
    *,
    price: Money = PAID,
    now: datetime = NOW,
    hold: timedelta = HOLD,
    slot: Slot | None = None,
    buffer: timedelta = timedelta(0),
    resource_id: str | None = None,
) -> Booking:
    """A booking as Booking.new makes it: confirmed when free, pending payment with a hold otherwise."""
    return Booking.new(
        id=uuid4(),
        offering_id="massage",
        customer_id=uuid4(),
        price=price,
        slot=slot,
        buffer=buffer,
        resource_id=resource_id,
        now=now,
        hold=hold,
    )


def a_booking_in(
    status: BookingStatus,
    payment_status: PaymentStatus = PaymentStatus.PENDING,
    *,
    hold_expires_at: datetime | None = None,
    booking_id: UUID | None = None,
) -> Booking:
    """A booking loaded in any state, as the repository would rebuild it (no events yet)."""
    return Booking(
        id=booking_id or uuid4(),
        offering_id="massage",
        customer_id=uuid4(),
        price=PAID,
        status=status,
        payment_status=payment_status,
        created_at=NOW,
        hold_expires_at=hold_expires_at,
    )


def snapshot(booking: Booking) -> tuple[object, ...]:
    """Everything an operation may change, to check that a refused one changed nothing."""
    return (
        booking.status,
        booking.payment_status,
        booking.version,
        booking.hold_expires_at,
        tuple(booking.events),
    )


def _minute_of_day(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)
