"""Reading: the catalog, availability windows, one booking by its token, the admin list."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from application.errors import InvalidRequest, NotFound, UnknownOffering
from domain.availability import SlotAvailability
from domain.statuses import BookingStatus
from tests.application.builders import HOLD, NOW, TUESDAY_TEN, a_booking, build

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = datetime(2026, 6, 2, 0, 0, tzinfo=PARIS)
WEDNESDAY = TUESDAY + timedelta(days=1)


def starts(slots: list[SlotAvailability]) -> list[datetime]:
    return [s.slot.start for s in slots]


# The catalog


def test_the_offerings_are_the_catalogs() -> None:
    app = build()

    offerings = app.list_offerings()

    assert [o.id for o in offerings] == [
        "van-transfer",
        "coaching",
        "workshop",
        "free-call",
        "paris-morning",
        "paris-night",
        "coaching-four",
    ]


# Availability


async def test_availability_lists_the_slots_inside_opening_hours() -> None:
    app = build()

    slots = (await app.availability("coaching", TUESDAY, WEDNESDAY)).slots()

    assert starts(slots)[0] == datetime(2026, 6, 2, 9, 0, tzinfo=PARIS)
    assert starts(slots)[-1] == datetime(2026, 6, 2, 16, 0, tzinfo=PARIS)
    assert len(slots) == 15  # 09:00 to 16:00 every 30 minutes
    assert {s.remaining for s in slots} == {2}


async def test_availability_leaves_out_slots_in_the_past() -> None:
    app = build()
    monday = TUESDAY - timedelta(days=1)

    slots = (await app.availability("coaching", monday, TUESDAY)).slots()

    assert starts(slots)[0] == NOW  # 10:00 in Paris, the clock's now
    assert all(start >= NOW for start in starts(slots))


async def test_availability_leaves_out_a_held_slot_and_its_buffer() -> None:
    app = build()
    await app.create(a_booking("van-transfer", TUESDAY_TEN))

    slots = (await app.availability("van-transfer", TUESDAY, WEDNESDAY)).slots()

    free = set(starts(slots))
    blocked = {TUESDAY_TEN + timedelta(minutes=m) for m in (-60, -30, 0, 30, 60)}
    assert not (free & blocked)
    assert TUESDAY_TEN - timedelta(minutes=90) in free
    assert TUESDAY_TEN + timedelta(minutes=90) in free


async def test_availability_counts_the_seats_left() -> None:
    app = build()
    await app.create(a_booking("workshop", TUESDAY_TEN))
    await app.create(a_booking("workshop", TUESDAY_TEN))

    slots = (await app.availability("workshop", TUESDAY_TEN, TUESDAY_TEN + timedelta(hours=2))).slots()

    assert [(s.slot.start, s.remaining) for s in slots] == [
        (TUESDAY_TEN, 1),
        (TUESDAY_TEN + timedelta(hours=1), 3),
    ]


async def test_availability_shows_a_slot_again_once_its_hold_ran_out() -> None:
    app = build()
    await app.create(a_booking("van-transfer", TUESDAY_TEN))
    window = (TUESDAY_TEN, TUESDAY_TEN + timedelta(hours=1))
    assert (await app.availability("van-transfer", *window)).slots() == []

    app.clock.advance(HOLD)

    assert starts((await app.availability("van-transfer", *window)).slots()) == [
        TUESDAY_TEN,
        TUESDAY_TEN + timedelta(minutes=30),
    ]


async def test_availability_refuses_a_naive_window() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.availability("coaching", TUESDAY.replace(tzinfo=None), WEDNESDAY)
    assert set(error.value.fields) == {"from"}

    with pytest.raises(InvalidRequest):
        await app.availability("coaching", TUESDAY, WEDNESDAY.replace(tzinfo=None))


async def test_availability_names_the_naive_end_of_the_window() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.availability("coaching", TUESDAY, WEDNESDAY.replace(tzinfo=None))

    assert set(error.value.fields) == {"to"}


@pytest.mark.parametrize("end", [TUESDAY, TUESDAY - timedelta(hours=1)])
async def test_availability_refuses_an_empty_or_reversed_window(end: datetime) -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.availability("coaching", TUESDAY, end)

    assert set(error.value.fields) == {"to"}


async def test_availability_refuses_a_window_longer_than_62_days() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.availability("coaching", TUESDAY, TUESDAY + timedelta(days=62, minutes=1))

    assert set(error.value.fields) == {"to"}


async def test_availability_accepts_a_window_of_exactly_62_days() -> None:
    app = build()

    slots = (await app.availability("coaching", TUESDAY, TUESDAY + timedelta(days=62))).slots()

    assert slots


async def test_availability_of_an_unknown_offering_is_refused() -> None:
    app = build()

    with pytest.raises(UnknownOffering):
        await app.availability("hot-air-balloon", TUESDAY, WEDNESDAY)


async def test_availability_counts_the_fall_back_night_in_real_hours() -> None:
    app = build()
    # 2026-10-25: Paris goes from +02:00 to +01:00 at 03:00, so 00:00-05:00 lasts six hours.
    night = datetime(2026, 10, 25, 0, 0, tzinfo=PARIS)

    slots = (await app.availability("paris-night", night, night + timedelta(hours=12))).slots()

    assert len(slots) == 6
    assert all(s.slot.end - s.slot.start == timedelta(hours=1) for s in slots)
    assert len(set(starts(slots))) == 6


# One booking, by its token


async def test_a_booking_is_read_with_its_own_token() -> None:
    app = build()
    created = await app.create(a_booking())

    view = await app.get(created.booking_id, token=created.booking_token, admin=False)

    assert view.booking.id == created.booking_id
    assert view.booking.status is BookingStatus.PENDING_PAYMENT
    assert view.customer is not None
    assert view.customer.email == "ada@example.com"


async def test_another_bookings_token_is_not_found_exactly_like_a_missing_booking() -> None:
    app = build()
    mine = await app.create(a_booking(start=TUESDAY_TEN))
    theirs = await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3), email="eve@example.com"))

    with pytest.raises(NotFound) as wrong_token:
        await app.get(mine.booking_id, token=theirs.booking_token, admin=False)
    with pytest.raises(NotFound) as missing:
        await app.get(uuid4(), token=theirs.booking_token, admin=False)

    assert type(wrong_token.value) is type(missing.value)
    assert wrong_token.value.detail == missing.value.detail
    assert wrong_token.value.code == missing.value.code


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
async def test_a_booking_without_its_token_is_not_found(token: str | None) -> None:
    app = build()
    created = await app.create(a_booking())

    with pytest.raises(NotFound):
        await app.get(created.booking_id, token=token, admin=False)


async def test_an_admin_reads_any_booking_without_a_token() -> None:
    app = build()
    created = await app.create(a_booking())

    view = await app.get(created.booking_id, token=None, admin=True)

    assert view.booking.id == created.booking_id


async def test_an_admin_still_gets_not_found_for_a_missing_booking() -> None:
    app = build()

    with pytest.raises(NotFound):
        await app.get(uuid4(), token=None, admin=True)


# The admin list


async def test_the_admin_list_filters_by_status_offering_and_normalised_email() -> None:
    app = build()
    van = await app.create(a_booking("van-transfer", TUESDAY_TEN, email="ada@example.com"))
    coach = await app.create(a_booking("coaching", TUESDAY_TEN, email="bob@example.com"))

    everything = await app.list()
    confirmed = await app.list(status=BookingStatus.CONFIRMED)
    vans = await app.list(offering_id="van-transfer")
    ada = await app.list(customer_email="  ADA@example.com ")

    assert {v.booking.id for v in everything} == {van.booking_id, coach.booking_id}
    assert [v.booking.id for v in confirmed] == [coach.booking_id]
    assert [v.booking.id for v in vans] == [van.booking_id]
    assert [v.booking.id for v in ada] == [van.booking_id]
    assert ada[0].customer is not None
    assert ada[0].customer.email == "ada@example.com"


async def test_the_admin_list_pages_newest_first() -> None:
    app = build()
    ids = []
    for n in range(3):
        created = await app.create(a_booking("free-call", None, email=f"guest{n}@example.com"))
        ids.append(created.booking_id)
        app.clock.advance(timedelta(minutes=1))

    first_page = await app.list(limit=2)
    second_page = await app.list(limit=2, offset=2)

    assert [v.booking.id for v in first_page] == [ids[2], ids[1]]
    assert [v.booking.id for v in second_page] == [ids[0]]
