"""Availability agrees with a plain reference: every slot asked of every resource about every booking.

The reference below checks each candidate slot against each booking one by one, the obvious way, on
generated offerings in Europe/Paris around both DST changes, with buffers, overlapping blocks, bookings
of other resources, and "now" anywhere in the window.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.availability import (
    MAX_WINDOW,
    Occupancy,
    SlotAvailability,
    available_slots,
    free_resources,
)
from domain.catalog import WEEKDAYS, Offering, Resource, TimeRange
from domain.slot import Slot
from tests.domain.builders import PARIS, an_offering, minutes, resources

SETTINGS = settings(max_examples=300, deadline=None)
DAY = timedelta(days=1)


# --- the reference -------------------------------------------------------------------------------------


def reference_grid(offering: Offering, start: datetime, end: datetime) -> list[Slot]:
    """Opening ranges day by day in local time, joined where they meet, cut into slots on the grid."""
    zone = offering.timezone
    windows: list[list[datetime]] = []
    day = (start - MAX_WINDOW).astimezone(zone).date() - DAY
    while day <= (end + MAX_WINDOW).astimezone(zone).date():
        for time_range in offering.ranges_on(day):
            opens, closes = (t.astimezone(UTC) for t in time_range.on(day, zone))
            if closes <= opens:
                continue
            if windows and opens <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], closes)
            else:
                windows.append([opens, closes])
        day += DAY
    slots = []
    for opens, closes in windows:
        at = opens
        while at + offering.duration <= closes:
            if start <= at < end:
                slots.append(Slot(at, at + offering.duration))
            at += offering.slot_step
    return slots


def overlaps(a: Slot, b: Slot) -> bool:
    return a.start < b.end and b.start < a.end


def reference_free(
    offering: Offering, slot: Slot, rooms: list[Resource], occupied: list[Occupancy]
) -> list[str]:
    block = Slot(slot.start, slot.end + offering.buffer)
    return [
        r.id for r in rooms if not any(o.resource_id == r.id and overlaps(block, o.block) for o in occupied)
    ]


def reference_available(
    offering: Offering,
    start: datetime,
    end: datetime,
    now: datetime,
    rooms: list[Resource],
    occupied: list[Occupancy],
) -> list[SlotAvailability]:
    result = []
    for slot in reference_grid(offering, max(start, now), end):
        if offering.resource_type is None:
            remaining = offering.capacity - sum(overlaps(slot, o.slot) for o in occupied)
        else:
            remaining = len(set(reference_free(offering, slot, rooms, occupied)))
        if remaining > 0:
            result.append(SlotAvailability(slot, remaining))
    return result


# --- generated cases -----------------------------------------------------------------------------------

# Around the spring-forward (29 March) and fall-back (25 October) nights of 2026, and an ordinary week.
first_days = st.sampled_from(
    [date(2026, 3, 27) + DAY * i for i in range(4)]
    + [date(2026, 10, 23) + DAY * i for i in range(4)]
    + [date(2026, 6, 1)]
)
quarter_hours = st.integers(min_value=0, max_value=96).map(lambda q: q * 15)


@st.composite
def daily_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    """One or two ranges in start order (as the catalog loader gives them), 00:00-24:00 included."""
    bounds = sorted(draw(st.lists(quarter_hours, min_size=2, max_size=4, unique=True)))
    if draw(st.booleans()):
        return (TimeRange(0, 1440),)
    return tuple(TimeRange(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False))


@st.composite
def offerings(draw: st.DrawFn, *, with_resources: bool) -> Offering:
    same_every_day = draw(st.booleans())
    ranges = draw(daily_ranges())
    hours = {day: ranges if same_every_day else draw(daily_ranges()) for day in WEEKDAYS}
    offering = an_offering(
        duration=draw(st.sampled_from([15, 30, 60, 90, 150])),
        step=draw(st.sampled_from([10, 15, 30, 45, 60, 70])),
        buffer=draw(st.sampled_from([0, 5, 15, 30, 60])),
        capacity=1 if with_resources else draw(st.integers(min_value=1, max_value=3)),
        resource_type="room" if with_resources else None,
        timezone=PARIS,
    )
    return replace(offering, opening_hours=hours)


@st.composite
def bookings(draw: st.DrawFn, origin: datetime, ids: list[str]) -> Occupancy:
    """A booking somewhere around the window, any length, with its buffer; some on other resources."""
    start = origin + minutes(draw(st.integers(min_value=-6 * 12, max_value=2 * 24 * 12)) * 5)
    end = start + minutes(draw(st.integers(min_value=1, max_value=48)) * 5)
    buffer = minutes(draw(st.sampled_from([0, 5, 15, 30, 60])))
    resource_id = draw(st.sampled_from([*ids, "elsewhere", None]))
    return Occupancy(Slot(start, end), Slot(start, end + buffer), resource_id)


Case = tuple[Offering, datetime, datetime, datetime, list[Resource], list[Occupancy]]


@st.composite
def cases(draw: st.DrawFn, *, with_resources: bool) -> Case:
    """An offering, a window, "now", rooms and bookings, with times as each caller gives them.

    Bookings and "now" are in UTC (the driver, the clock); the window's bounds carry the Paris offset
    the API parsed, or UTC.
    """
    offering = draw(offerings(with_resources=with_resources))
    first = draw(first_days)
    origin = datetime(first.year, first.month, first.day, tzinfo=PARIS).astimezone(UTC)
    start = origin + minutes(draw(st.integers(min_value=0, max_value=24 * 4)) * 15)
    end = start + minutes(draw(st.integers(min_value=1, max_value=2 * 24 * 4)) * 15)
    now = start + minutes(draw(st.integers(min_value=-24 * 4, max_value=24 * 4)) * 15)
    zone = draw(st.sampled_from([PARIS, ZoneInfo("UTC"), UTC]))
    ids = [f"r{i}" for i in range(draw(st.sampled_from([1, 2, 3, 4, 0])))]
    occupied = draw(st.lists(bookings(start, ids), max_size=25))
    return offering, start.astimezone(zone), end.astimezone(zone), now, resources(*ids), occupied


@SETTINGS
@given(cases(with_resources=True))
def test_resource_availability_agrees_with_the_reference(case: Case) -> None:
    offering, start, end, now, rooms, occupied = case
    expected = reference_available(offering, start, end, now, rooms, occupied)
    assert available_slots(offering, start, end, now=now, resources=rooms, occupied=occupied) == expected


@SETTINGS
@given(cases(with_resources=False))
def test_seat_availability_agrees_with_the_reference(case: Case) -> None:
    offering, start, end, now, _, occupied = case
    expected = reference_available(offering, start, end, now, [], occupied)
    assert available_slots(offering, start, end, now=now, resources=[], occupied=occupied) == expected


@SETTINGS
@given(cases(with_resources=True), st.lists(st.integers(min_value=0, max_value=3 * 24 * 12), max_size=8))
def test_free_resources_agree_with_the_reference_in_catalog_order(
    case: Case,
    offsets: list[int],
) -> None:
    offering, start, _, _, rooms, occupied = case
    shuffled = rooms[::-1]  # the catalog's order, whatever it is, is the answer's order
    for offset in offsets:
        slot_start = start.astimezone(UTC) + minutes(offset * 5)
        slot = Slot(slot_start, slot_start + offering.duration)
        for order in (rooms, shuffled):
            assert free_resources(offering, slot, order, occupied) == reference_free(
                offering, slot, order, occupied
            )


def test_the_reference_sees_what_the_examples_see() -> None:
    """A check on the checker: one room, a booking with a buffer, around the fall-back night."""
    offering = an_offering(
        opens="00:00", closes="05:00", duration=60, step=60, buffer=15, resource_type="room"
    )
    start = datetime(2026, 10, 25, tzinfo=PARIS).astimezone(UTC)
    end = start + DAY
    two = datetime(2026, 10, 25, 1, tzinfo=UTC)  # 02:00 CET, the second two o'clock
    booked = Occupancy(Slot(two, two + minutes(60)), Slot(two, two + minutes(75)), "r1")
    available = reference_available(offering, start, end, start, resources("r1"), [booked])
    # Six real hours: 01:00 UTC is booked, its buffer takes 02:00, and the new slot's own buffer 00:00.
    assert [a.slot.start.hour for a in available] == [22, 23, 3]
    assert available == available_slots(
        offering, start, end, now=start, resources=resources("r1"), occupied=[booked]
    )
