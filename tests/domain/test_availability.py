"""Availability: opening hours in local time across DST, slots, buffers and seats."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.availability import (
    Occupancy,
    available_slots,
    candidate_slots,
    free_resources,
    opening_windows,
    seats_remaining,
    slot_for,
)
from domain.errors import OutsideOpeningHours
from domain.slot import Slot
from tests.domain.builders import PARIS, an_offering, at, every_day, minutes, resources

HOUR = timedelta(hours=1)


def local_day(day: date) -> tuple[datetime, datetime]:
    """A local Paris day as a UTC interval: 23, 24 or 25 hours long."""
    start = datetime(day.year, day.month, day.day, tzinfo=PARIS)
    end = start.replace(tzinfo=None) + timedelta(days=1)
    return start.astimezone(UTC), end.replace(tzinfo=PARIS).astimezone(UTC)


def paris(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=PARIS)


SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)
ORDINARY = date(2026, 6, 2)


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2026, 3, 28), at(2026, 3, 28, 8)),  # CET, +01:00
        (SPRING, at(2026, 3, 29, 7)),  # CEST from 02:00, +02:00
        (date(2026, 10, 24), at(2026, 10, 24, 7)),  # CEST, +02:00
        (AUTUMN, at(2026, 10, 25, 8)),  # CET from 03:00, +01:00
    ],
)
def test_morning_slots_follow_the_local_clock_across_dst(day: date, first: datetime) -> None:
    offering = an_offering(opens="09:00", closes="12:00", duration=60, step=60)
    start, end = local_day(day)
    expected = [Slot(first + HOUR * i, first + HOUR * (i + 1)) for i in range(3)]
    assert list(candidate_slots(offering, start, end)) == expected
    available = available_slots(offering, start, end, now=start - HOUR, resources=[], occupied=[])
    assert [a.slot for a in available] == expected
    assert {a.remaining for a in available} == {1}


def test_the_spring_forward_night_has_four_real_hours() -> None:
    offering = an_offering(opens="00:00", closes="05:00", duration=60, step=60)
    start, end = local_day(SPRING)
    slots = list(candidate_slots(offering, start, end))
    assert [s.start for s in slots] == [
        at(2026, 3, 28, 23),
        at(2026, 3, 29, 0),
        at(2026, 3, 29, 1),
        at(2026, 3, 29, 2),
    ]
    assert [s.start.astimezone(PARIS).hour for s in slots] == [0, 1, 3, 4]
    assert list(opening_windows(offering, start, end)) == [Slot(at(2026, 3, 28, 23), at(2026, 3, 29, 3))]


def test_the_fall_back_night_has_six_real_hours_and_two_oclock_twice() -> None:
    offering = an_offering(opens="00:00", closes="05:00", duration=60, step=60)
    start, end = local_day(AUTUMN)
    slots = list(candidate_slots(offering, start, end))
    assert [s.start for s in slots] == [at(2026, 10, 24, 22)] + [
        at(2026, 10, 24, 23) + HOUR * i for i in range(5)
    ]
    local = [s.start.astimezone(PARIS) for s in slots]
    assert [t.hour for t in local] == [0, 1, 2, 2, 3, 4]
    assert [t.utcoffset() for t in local] == [2 * HOUR] * 3 + [HOUR] * 3
    assert list(opening_windows(offering, start, end)) == [Slot(at(2026, 10, 24, 22), at(2026, 10, 25, 4))]


@pytest.mark.parametrize("day", [SPRING, AUTUMN, ORDINARY])
def test_a_slot_inside_opening_hours_is_taken_as_asked_in_utc(day: date) -> None:
    offering = an_offering(opens="09:00", closes="12:00", duration=60)
    slot = slot_for(offering, paris(day, 11))
    assert slot == Slot(paris(day, 11).astimezone(UTC), paris(day, 12).astimezone(UTC))
    assert slot.start.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "start",
    [
        paris(ORDINARY, 8),  # before opening
        paris(ORDINARY, 8, 30),  # starts before opening, ends inside
        paris(ORDINARY, 12),  # at closing time
        paris(ORDINARY, 11, 30),  # crosses closing time
        paris(ORDINARY, 11, 1),  # crosses closing time by a minute
        paris(AUTUMN, 11, 30),  # crosses closing time on a DST day
        paris(ORDINARY, 20),  # evening
    ],
    ids=lambda d: d.isoformat(),
)
def test_a_slot_outside_opening_hours_is_refused(start: datetime) -> None:
    offering = an_offering(opens="09:00", closes="12:00", duration=60)
    with pytest.raises(OutsideOpeningHours) as refused:
        slot_for(offering, start)
    assert refused.value.code == "outside_opening_hours"


@pytest.mark.parametrize(
    "start", [paris(ORDINARY, 10, 0, 30), paris(ORDINARY, 10).replace(microsecond=1)], ids=["second", "micro"]
)
def test_a_booking_must_start_on_a_whole_minute(start: datetime) -> None:
    with pytest.raises(OutsideOpeningHours):
        slot_for(an_offering(opens="09:00", closes="12:00", duration=60), start)


def test_opening_ranges_that_meet_at_midnight_form_one_window() -> None:
    # Ranges in start order, as the catalog loader sorts them (opening_windows relies on that order).
    offering = replace(an_offering(duration=180), opening_hours=every_day((0, 120), (22 * 60, 1440)))
    slot = slot_for(offering, paris(ORDINARY, 23))
    assert slot == Slot(paris(ORDINARY, 23).astimezone(UTC), (paris(ORDINARY, 23) + 3 * HOUR).astimezone(UTC))
    with pytest.raises(OutsideOpeningHours):
        slot_for(offering, paris(ORDINARY, 23, 1))


def test_available_slots_leave_out_slots_that_already_started() -> None:
    offering = an_offering(opens="09:00", closes="12:00", duration=60, step=60)
    start, end = local_day(ORDINARY)
    later = available_slots(offering, start, end, now=paris(ORDINARY, 9, 30), resources=[], occupied=[])
    assert [a.slot.start for a in later] == [paris(ORDINARY, 10), paris(ORDINARY, 11)]
    on_time = available_slots(offering, start, end, now=paris(ORDINARY, 10), resources=[], occupied=[])
    assert [a.slot.start for a in on_time] == [paris(ORDINARY, 10), paris(ORDINARY, 11)]
    closed = available_slots(offering, start, end, now=paris(ORDINARY, 11, 1), resources=[], occupied=[])
    assert closed == []


def _booked(start: datetime, end: datetime, buffer: timedelta, resource_id: str | None = None) -> Occupancy:
    return Occupancy(Slot(start, end), Slot(start, end + buffer), resource_id)


def test_a_buffer_keeps_the_resource_after_the_booking() -> None:
    offering = an_offering(duration=60, buffer=15, step=5, resource_type="room")
    rooms = resources("r1")
    occupied = [_booked(paris(ORDINARY, 9), paris(ORDINARY, 10), minutes(15), "r1")]

    def free_at(hour: int, minute: int) -> list[str]:
        start = paris(ORDINARY, hour, minute)
        return free_resources(offering, Slot(start, start + HOUR), rooms, occupied)

    assert free_at(10, 0) == []
    assert free_at(10, 10) == []
    assert free_at(10, 15) == ["r1"]
    start, end = local_day(ORDINARY)
    slots = available_slots(offering, start, end, now=start, resources=rooms, occupied=occupied)
    assert slots[0].slot.start == paris(ORDINARY, 10, 15)


def test_a_new_booking_needs_its_own_buffer_before_the_next_one() -> None:
    offering = an_offering(duration=60, buffer=15, step=5, resource_type="room")
    rooms = resources("r1", "r2")
    occupied = [_booked(paris(ORDINARY, 11), paris(ORDINARY, 12), minutes(15), "r1")]
    assert free_resources(
        offering, Slot(paris(ORDINARY, 9, 45), paris(ORDINARY, 10, 45)), rooms, occupied
    ) == [
        "r1",
        "r2",
    ]
    assert free_resources(
        offering, Slot(paris(ORDINARY, 9, 50), paris(ORDINARY, 10, 50)), rooms, occupied
    ) == ["r2"]


def test_each_seat_taken_shows_one_fewer_until_the_slot_disappears() -> None:
    offering = an_offering(opens="09:00", closes="12:00", duration=60, step=60, capacity=3)
    start, end = local_day(ORDINARY)
    ten = Slot(paris(ORDINARY, 10), paris(ORDINARY, 11))
    occupied: list[Occupancy] = []
    seen = []
    for _ in range(4):
        available = {
            a.slot: a.remaining
            for a in available_slots(offering, start, end, now=start, resources=[], occupied=occupied)
        }
        seen.append(available.get(ten))
        assert available[Slot(paris(ORDINARY, 9), paris(ORDINARY, 10))] == 3
        assert seats_remaining(offering, ten, occupied) == (available.get(ten) or 0)
        occupied.append(Occupancy(ten, ten))
    assert seen == [3, 2, 1, None]


def test_a_slot_is_a_half_open_interval_of_aware_instants() -> None:
    nine, ten, eleven = (paris(ORDINARY, h) for h in (9, 10, 11))
    assert not Slot(nine, ten).overlaps(Slot(ten, eleven))
    assert Slot(nine, ten + minutes(1)).overlaps(Slot(ten, eleven))
    with pytest.raises(ValueError, match="aware"):
        Slot(nine.replace(tzinfo=None), ten)
    with pytest.raises(ValueError, match="ends after"):
        Slot(ten, ten)
