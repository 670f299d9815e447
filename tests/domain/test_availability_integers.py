"""Availability counted on integer microseconds agrees with the plain reference of
test_availability_one_pass, whatever order the bookings come in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.availability import (
    OccupiedTimes,
    available_slot_counts,
    candidate_starts,
    instant,
    micros,
)
from domain.catalog import Offering, Resource
from tests.domain.builders import an_offering, resources
from tests.domain.test_availability_one_pass import Case, cases, reference_available, reference_grid

SETTINGS = settings(max_examples=300, deadline=None)
ZONES = [
    UTC,
    ZoneInfo("UTC"),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/St_Johns"),
    ZoneInfo("Asia/Kathmandu"),
]


# Local times that exist (none inside a spring-forward gap), between 1970 and 3000.
INSTANTS = st.datetimes(
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - naive bounds, the zone comes from `timezones`
    max_value=datetime(2999, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from(ZONES),
    allow_imaginary=False,
)


@SETTINGS
@given(INSTANTS)
def test_micros_and_instant_are_one_instant_both_ways(at: datetime) -> None:
    # Compared in UTC: Python never calls an ambiguous local time (a fold) equal to a time in another zone.
    assert instant(micros(at)) == at.astimezone(UTC)
    assert micros(instant(micros(at))) == micros(at)
    assert instant(micros(at)).tzinfo is UTC


def test_micros_count_from_the_unix_epoch() -> None:
    assert micros(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert micros(datetime(1970, 1, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))) == 0
    assert micros(datetime(2027, 1, 1, 0, 0, 0, 1, tzinfo=UTC)) == 1_798_761_600_000_001


@SETTINGS
@given(cases(with_resources=True))
def test_candidate_starts_are_the_reference_grid_in_microseconds(case: Case) -> None:
    offering, start, end, _, _, _ = case
    expected = [micros(slot.start) for slot in reference_grid(offering, start, end)]
    assert candidate_starts(offering, start, end) == expected


def _reordered(times: OccupiedTimes, order: list[int]) -> OccupiedTimes:
    return OccupiedTimes(
        starts=[times.starts[i] for i in order],
        ends=[times.ends[i] for i in order],
        block_starts=[times.block_starts[i] for i in order],
        block_ends=[times.block_ends[i] for i in order],
        resource_ids=[times.resource_ids[i] for i in order],
    )


@SETTINGS
@given(cases(with_resources=True), st.randoms(use_true_random=False))
def test_resource_counts_agree_with_the_reference_in_block_order_and_in_any_order(
    case: Case, rng: random.Random
) -> None:
    offering, start, end, now, rooms, occupied = case
    expected = reference_available(offering, start, end, now, rooms, occupied)
    times = OccupiedTimes.of(occupied)
    in_block_order = _reordered(times, sorted(range(len(times)), key=lambda i: times.block_starts[i]))
    shuffled = list(range(len(times)))
    rng.shuffle(shuffled)
    for each in (in_block_order, _reordered(times, shuffled)):
        counted = available_slot_counts(offering, start, end, now=now, resources=rooms, occupied=each)
        assert counted.slots() == expected


@SETTINGS
@given(cases(with_resources=False), st.randoms(use_true_random=False))
def test_seat_counts_agree_with_the_reference_in_any_order(case: Case, rng: random.Random) -> None:
    offering, start, end, now, _, occupied = case
    shuffled = list(occupied)
    rng.shuffle(shuffled)
    counted = available_slot_counts(
        offering, start, end, now=now, resources=[], occupied=OccupiedTimes.of(shuffled)
    )
    assert counted.slots() == reference_available(offering, start, end, now, [], occupied)


def test_counts_of_a_month_are_plain_integers_on_the_grid() -> None:
    """The form the HTTP layer writes out: starts in order, one step apart, and each slot's length."""
    offering, rooms = _always_open_rooms()
    start = datetime(2027, 1, 1, tzinfo=UTC)
    counted = available_slot_counts(
        offering, start, start + timedelta(days=31), now=start, resources=rooms, occupied=OccupiedTimes.of([])
    )
    assert len(counted) == 31 * 48  # every half hour: slots start inside the window, open all along
    assert counted.starts[:2] == [micros(start), micros(start) + 30 * 60_000_000]
    assert set(counted.remaining) == {2}
    assert counted.duration == 60 * 60_000_000


def test_occupied_times_need_one_of_each_value_per_booking() -> None:
    with pytest.raises(ValueError, match="one of each"):
        OccupiedTimes(
            starts=[1, 2], ends=[3, 4], block_starts=[1, 2], block_ends=[3], resource_ids=["a", "b"]
        )


def _always_open_rooms() -> tuple[Offering, list[Resource]]:
    offering = an_offering(opens="00:00", closes="24:00", duration=60, step=30, resource_type="room")
    return offering, resources("r1", "r2")
