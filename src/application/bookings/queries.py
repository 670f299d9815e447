"""Read-side use cases: the catalog, availability, one booking by its token, the admin list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from application.bookings.commands import BookingView, DayStarts
from application.catalog import offering_of
from application.errors import InvalidRequest, NotFound
from application.ports import CatalogSource, Clock, UnitOfWorkFactory
from application.tokens import Credential, opens
from domain.availability import AvailableSlots, available_slot_counts
from domain.catalog import Offering
from domain.customer import normalise_email
from domain.slot import Slot
from domain.statuses import BookingStatus

MAX_AVAILABILITY_WINDOW = timedelta(days=62)
# The instants a client may name: wider than any booking, and far enough inside datetime's own range
# (years 1 to 9999) that widening a window by a few days of margin can never overflow.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(3000, 1, 1, tzinfo=UTC)

# The databases count rows in 64-bit integers: a larger offset cannot even be sent to them.
MAX_LIST_OFFSET = 2**63 - 1


def check_instant(field: str, value: datetime) -> None:
    """Refuses, naming `field`, an aware instant outside [EARLIEST_INSTANT, LATEST_INSTANT)."""
    if not EARLIEST_INSTANT <= value < LATEST_INSTANT:
        raise InvalidRequest("a time out of range", {field: "must be in the years 1970 to 2999"})


class ListOfferings:
    def __init__(self, catalog: CatalogSource) -> None:
        self._catalog = catalog

    def __call__(self) -> list[Offering]:
        return list(self._catalog.catalog.offerings.values())


class GetOffering:
    def __init__(self, catalog: CatalogSource) -> None:
        self._catalog = catalog

    def __call__(self, offering_id: str) -> Offering:
        offering = offering_of(self._catalog, offering_id)
        return offering


class GetAvailability:
    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(self, offering_id: str, start: datetime, end: datetime) -> AvailableSlots:
        offering = offering_of(self._catalog, offering_id)
        if start.tzinfo is None or end.tzinfo is None:
            field = "from" if start.tzinfo is None else "to"
            raise InvalidRequest("times carry an offset", {field: "must include a UTC offset"})
        check_instant("from", start)
        check_instant("to", end)
        if end <= start:
            raise InvalidRequest("an empty window", {"to": "must be after from"})
        if end - start > MAX_AVAILABILITY_WINDOW:
            raise InvalidRequest("window too long", {"to": "at most 62 days after from"})
        resources = self._catalog.catalog.resources_for(offering)
        # Bookings reaching into the window from either side; the repository reaches further back for
        # long ones that started earlier.
        margin = offering.duration + offering.buffer
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            occupied = await uow.bookings.occupied_times(
                offering=offering,
                resource_ids=[r.id for r in resources],
                window=Slot(start - margin, end + margin),
                now=now,
            )
        return available_slot_counts(offering, start, end, now=now, resources=resources, occupied=occupied)


class GetDayStarts:
    """The free start times of one local day of an offering (in its time zone), for a time picker."""

    def __init__(self, catalog: CatalogSource, availability: GetAvailability) -> None:
        self._catalog, self._availability = catalog, availability

    async def __call__(self, offering_id: str, day: date) -> DayStarts:
        offering = offering_of(self._catalog, offering_id)
        zone = offering.timezone
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        following = day + timedelta(days=1)
        end = datetime(following.year, following.month, following.day, tzinfo=zone)
        check_instant("date", start)
        available = await self._availability(offering_id, start, end)
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        starts = [(epoch + timedelta(microseconds=m)).astimezone(zone) for m in available.starts]
        return DayStarts(offering_id, day, zone.key, starts)


class GetBooking:
    """A booking for its token holder or an admin; any other token is indistinguishable from no booking."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, booking_id: UUID, *, token: Credential | None, admin: bool, extensions: bool = False
    ) -> BookingView:
        """With `extensions`, the booking's extensions too (oldest first)."""
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(booking_id)
            if booking is None or not (
                admin or (token is not None and opens(token, booking.id, booking.token_hash))
            ):
                raise NotFound("no such booking")
            customer = await uow.customers.get(booking.customer_id)
            sessions = await uow.bookings.sessions_of(booking.id) if booking.credits is not None else []
            found = tuple(await uow.extensions.of_booking(booking.id)) if extensions else ()
            return BookingView(booking, customer, sessions=sessions, extensions=found)


class ListBookings:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self,
        *,
        status: BookingStatus | None = None,
        offering_id: str | None = None,
        customer_email: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[BookingView]:
        if not 0 <= offset <= MAX_LIST_OFFSET:
            raise InvalidRequest("offset out of range", {"offset": f"0 to {MAX_LIST_OFFSET}"})
        async with self._uow(read_only=True) as uow:
            rows = await uow.bookings.list(
                status=status,
                offering_id=offering_id,
                customer_email=normalise_email(customer_email) if customer_email else None,
                limit=limit,
                offset=offset,
            )
        return [BookingView(booking, customer) for booking, customer in rows]
