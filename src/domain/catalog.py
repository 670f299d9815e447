"""What can be booked: offerings, the resources they use, and their opening hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OfferingKind(StrEnum):
    SESSION = "session"
    TRANSFER = "transfer"
    HOURLY = "hourly"
    TOUR = "tour"
    SERVICE = "service"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class Money:
    amount_cents: int
    currency: str

    @property
    def is_free(self) -> bool:
        return self.amount_cents == 0


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A daily opening range in local wall-clock minutes since midnight; end may be 1440 (24:00)."""

    start_minute: int
    end_minute: int

    def on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The range on one local day as aware instants, correct on both DST changes."""
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        return (_local(midnight, self.start_minute, zone), _local(midnight, self.end_minute, zone))


def _local(midnight: datetime, minute: int, zone: ZoneInfo) -> datetime:
    naive = midnight.replace(tzinfo=None) + timedelta(minutes=minute)
    # A wall time inside a spring-forward gap does not exist; its round trip through UTC moves it
    # forward by the gap, which is what a customer reading the clock on that day would expect.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


@dataclass(frozen=True, slots=True)
class Resource:
    id: str
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class Template:
    subject: str | None
    body: str


@dataclass(frozen=True, slots=True)
class CancellationPolicy:
    """What a customer gets back when they cancel: everything until `free_hours` before the start (until
    the start itself when None), then `late_refund_percent` of what they paid."""

    free_hours: int | None = None
    late_refund_percent: int = 0

    def __post_init__(self) -> None:
        if self.free_hours is not None and self.free_hours < 0:
            raise ValueError("free cancellation hours are not negative")
        if not 0 <= self.late_refund_percent <= 100:
            raise ValueError("a refund percent is between 0 and 100")

    def free_until(self, start: datetime) -> datetime:
        """The last instant a cancellation is refunded in full."""
        return start - timedelta(hours=self.free_hours or 0)


@dataclass(frozen=True, slots=True)
class Offering:
    id: str
    name: str
    kind: OfferingKind
    duration: timedelta
    price: Money
    timezone: ZoneInfo
    opening_hours: Mapping[str, tuple[TimeRange, ...]]
    resource_type: str | None = None
    capacity: int = 1
    buffer: timedelta = timedelta(0)
    slot_step: timedelta = timedelta(minutes=30)
    dispatch: bool = False
    description: str | None = None
    stripe_payment_link_id: str | None = None
    acuity_appointment_type_id: int | None = None
    cal_event_type_id: int | None = None
    payment_provider: str | None = None  # this offering's default among the configured providers
    sessions: int | None = None  # a package: one payment buys this many sessions, scheduled one by one
    valid_days: int | None = None  # a package's sessions start within this many days of payment
    # event -> channel -> locale -> template
    notification_templates: Mapping[str, Mapping[str, Mapping[str, Template]]] = field(default_factory=dict)
    cancellation: CancellationPolicy = field(default_factory=lambda: CancellationPolicy())
    reminder_hours: tuple[int, ...] = ()  # reminders this many hours before each start

    @property
    def requires_payment(self) -> bool:
        return not self.price.is_free

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        return self.opening_hours.get(WEEKDAYS[day.weekday()], ())


@dataclass(frozen=True, slots=True)
class Catalog:
    offerings: Mapping[str, Offering]
    resources: Mapping[str, Resource]
    _by_type: dict[str, tuple[Resource, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_type: dict[str, list[Resource]] = {}
        for resource in self.resources.values():
            by_type.setdefault(resource.type, []).append(resource)
        object.__setattr__(self, "_by_type", {kind: tuple(rs) for kind, rs in by_type.items()})

    def resources_of(self, resource_type: str) -> tuple[Resource, ...]:
        """The resources of a type, in catalog order (the order bookings try them in)."""
        return self._by_type.get(resource_type, ())

    def resources_for(self, offering: Offering) -> tuple[Resource, ...]:
        """What a booking of the offering may hold: its type's resources, none for an offering without."""
        return () if offering.resource_type is None else self.resources_of(offering.resource_type)

    def cancellation_of(self, offering_id: str) -> CancellationPolicy:
        """The offering's cancellation policy; the default (free until the start) for one that is gone."""
        offering = self.offerings.get(offering_id)
        return offering.cancellation if offering is not None else CancellationPolicy()
