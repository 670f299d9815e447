"""The console's `Today`: a business day's bookings by resource, in the business's time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from application.console.commands import NO_RESOURCE, DaySchedule, ResourceDay, ScheduledBooking
from application.console.ports import ConsoleReadModel
from application.ports import CatalogSource, Clock
from domain.catalog import Catalog
from domain.statuses import BookingStatus

# Every status but cancelled and expired: what is still to happen today, or happened.
ON_THE_DAY = tuple(
    s.value for s in BookingStatus if s not in (BookingStatus.CANCELLED, BookingStatus.EXPIRED)
)


def business_zone(catalog: Catalog) -> ZoneInfo:
    """The catalog names no zone for the business: its first offering's zone is the business's (UTC for
    an empty catalog). Every bundled offering of one business shares one zone."""
    first = next(iter(catalog.offerings.values()), None)
    return first.timezone if first is not None else ZoneInfo("UTC")


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The day's first instant and the next day's, in UTC (23 or 25 hours apart on DST changes)."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start.date() + timedelta(days=1)
    return start.astimezone(UTC), datetime(end.year, end.month, end.day, tzinfo=zone).astimezone(UTC)


class TodaySchedule:
    def __init__(self, read_model: ConsoleReadModel, catalog: CatalogSource, clock: Clock) -> None:
        self._read, self._catalog, self._clock = read_model, catalog, clock

    @property
    def zone(self) -> ZoneInfo:
        return business_zone(self._catalog.catalog)

    def today(self) -> date:
        return self._clock.now().astimezone(self.zone).date()

    async def __call__(self, day: date | None = None) -> DaySchedule:
        catalog = self._catalog.catalog
        zone = business_zone(catalog)
        day = day if day is not None else self.today()
        start, end = day_bounds(day, zone)
        found = await self._read.bookings_starting(start, end, statuses=ON_THE_DAY, now=self._clock.now())
        named = [_named(booking, catalog) for booking in found]
        return DaySchedule(day, zone, _by_resource(named, catalog))


def _named(booking: ScheduledBooking, catalog: Catalog) -> ScheduledBooking:
    offering = catalog.offerings.get(booking.offering_id)
    return replace(booking, offering_name=offering.name if offering is not None else booking.offering_id)


def _by_resource(bookings: list[ScheduledBooking], catalog: Catalog) -> list[ResourceDay]:
    """Each catalog resource in catalog order (empty ones too: free for the day), then resources the
    catalog no longer has, then the bookings that hold none."""
    groups: dict[str, list[ScheduledBooking]] = {rid: [] for rid in catalog.resources}
    for booking in bookings:
        groups.setdefault(booking.resource_id or NO_RESOURCE, []).append(booking)
    days = [
        ResourceDay(rid, catalog.resources[rid].name if rid in catalog.resources else rid, found)
        for rid, found in groups.items()
        if rid != NO_RESOURCE
    ]
    if groups.get(NO_RESOURCE):
        days.append(ResourceDay(NO_RESOURCE, "", groups[NO_RESOURCE]))
    return days
