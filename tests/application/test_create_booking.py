"""Creating a booking: the catalog's price, the hold, the payment session, replays and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Self
from zoneinfo import ZoneInfo

import pytest

from adapters.memory.store import FakeUnitOfWork, FakeUnitOfWorkFactory, MemoryState
from adapters.providers.sandbox.gateway import SandboxPaymentGateway
from application.bookings.create_booking import CreateBookingHandler
from application.errors import IdempotencyKeyReused, InvalidRequest, UnknownOffering
from application.tokens import token_matches
from domain.errors import SlotUnavailable
from domain.statuses import BookingStatus
from tests.application.builders import HOLD, NOW, PUBLIC_URL, TUESDAY_TEN, Handlers, a_booking, build

PARIS = ZoneInfo("Europe/Paris")


async def test_a_paid_booking_waits_for_payment_with_a_hold_and_a_sandbox_checkout_url() -> None:
    app = build()

    created = await app.create(a_booking("van-transfer", TUESDAY_TEN))

    assert (created.status, created.payment_status) == ("pending_payment", "pending")
    assert created.requires_payment is True
    assert created.expires_at == NOW + HOLD
    assert created.start == TUESDAY_TEN
    assert created.end == TUESDAY_TEN + timedelta(minutes=60)
    assert created.resource_id == "van-1"
    assert created.payment is not None
    assert created.payment.provider == "sandbox"
    assert created.payment.url == f"{PUBLIC_URL}/sandbox/checkout/{created.booking_id}"
    stored = app.state.bookings[created.booking_id]
    assert stored.status is BookingStatus.PENDING_PAYMENT
    assert stored.hold_expires_at == NOW + HOLD
    assert stored.references["payment_url"] == created.payment.url
    assert stored.references["payment_provider"] == "sandbox"
    # Accounting learns the customer as they book; nothing else goes out before the payment.
    assert [m.topic for m in app.state.outbox] == ["odoo.booking_created"]


async def test_the_hold_lasts_as_long_as_the_configured_hold_minutes() -> None:
    app = build(hold=timedelta(minutes=7))

    created = await app.create(a_booking())

    assert created.expires_at == NOW + timedelta(minutes=7)


async def test_the_price_is_the_catalogs_not_the_clients() -> None:
    app = build()
    offering = app.catalog.catalog.offerings["workshop"]

    created = await app.create(a_booking("workshop", TUESDAY_TEN, intake={"amount_cents": 1}))

    assert (created.amount_cents, created.currency) == (4500, "EUR")
    assert app.state.bookings[created.booking_id].price == offering.price


async def test_a_free_booking_is_confirmed_at_once_with_a_confirmation_email_and_no_erp_message() -> None:
    app = build()

    created = await app.create(a_booking("coaching", TUESDAY_TEN))

    assert (created.status, created.payment_status) == ("confirmed", "not_required")
    assert created.requires_payment is False
    assert created.payment is None
    assert created.expires_at is None
    assert created.amount_cents == 0
    topics = [m.topic for m in app.state.outbox]
    assert sorted(topics) == sorted(
        ["email.booking_confirmed", "sms.booking_confirmed", "reminders.plan", "odoo.booking_created"]
    )
    assert app.state.outbox[0].idempotency_key == f"email.booking_confirmed:{created.booking_id}"
    assert app.state.outbox[1].idempotency_key == f"sms.booking_confirmed:{created.booking_id}"
    assert app.state.outbox[0].booking_id == created.booking_id
    assert [(a.from_status, a.to_status) for a in app.state.audit] == [("pending", "confirmed")]


async def test_a_free_booking_without_a_time_needs_no_start() -> None:
    app = build()

    created = await app.create(a_booking("free-call", None))

    assert (created.status, created.start, created.end) == ("confirmed", None, None)
    assert app.state.bookings[created.booking_id].slot is None


async def test_an_offering_booked_for_a_time_requires_a_start() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking("van-transfer", None))

    assert error.value.fields == {"start": "required"}


async def test_the_booking_token_is_returned_once_and_only_its_hash_is_stored() -> None:
    app = build()

    created = await app.create(a_booking())

    stored = app.state.bookings[created.booking_id]
    assert created.booking_token.encode() not in stored.token_hash
    assert token_matches(created.booking_token, stored.token_hash)


async def test_the_customer_is_found_by_their_normalised_email() -> None:
    app = build()

    first = await app.create(a_booking("free-call", None, email="  Ada@Example.COM "))
    second = await app.create(a_booking("free-call", None, email="ada@example.com"))

    assert list(app.state.customers) == ["ada@example.com"]
    one, two = app.state.bookings[first.booking_id], app.state.bookings[second.booking_id]
    assert one.customer_id == two.customer_id


# Idempotent replays


async def test_a_replayed_idempotency_key_returns_the_first_response_and_creates_nothing_new() -> None:
    app = build()
    command = a_booking(idempotency_key="key-1")

    first = await app.create(command)
    outbox, audit = list(app.state.outbox), list(app.state.audit)
    replayed = await app.create(command)

    assert replayed == first
    assert replayed.booking_id == first.booking_id
    assert replayed.booking_token == first.booking_token
    assert list(app.state.bookings) == [first.booking_id]
    assert app.state.outbox == outbox
    assert app.state.audit == audit


async def test_a_replayed_free_booking_sends_its_confirmation_email_once() -> None:
    app = build()
    command = a_booking("coaching", TUESDAY_TEN, idempotency_key="key-free")

    first = await app.create(command)
    replayed = await app.create(command)

    assert replayed == first
    assert len(app.state.bookings) == 1
    topics = [m.topic for m in app.state.outbox]
    assert sorted(topics) == sorted(
        ["email.booking_confirmed", "sms.booking_confirmed", "reminders.plan", "odoo.booking_created"]
    )


async def test_a_replay_spelling_the_same_instant_and_email_differently_is_the_same_request() -> None:
    app = build()
    first = await app.create(a_booking(idempotency_key="key-1"))
    paris = TUESDAY_TEN.astimezone(ZoneInfo("Europe/Paris"))

    replayed = await app.create(a_booking(start=paris, email=" ADA@Example.com", idempotency_key="key-1"))

    assert replayed.booking_id == first.booking_id


async def test_the_same_idempotency_key_with_a_different_request_is_refused() -> None:
    app = build()
    await app.create(a_booking(idempotency_key="key-1"))

    with pytest.raises(IdempotencyKeyReused):
        await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3), idempotency_key="key-1"))

    assert len(app.state.bookings) == 1


async def test_different_idempotency_keys_make_different_bookings() -> None:
    app = build()

    first = await app.create(a_booking("workshop", TUESDAY_TEN, idempotency_key="key-1"))
    second = await app.create(a_booking("workshop", TUESDAY_TEN, idempotency_key="key-2"))

    assert first.booking_id != second.booking_id
    assert first.booking_token != second.booking_token
    assert len(app.state.bookings) == 2


async def test_a_refused_request_does_not_use_up_its_idempotency_key() -> None:
    app = build()
    await app.create(a_booking())

    with pytest.raises(SlotUnavailable):
        await app.create(a_booking(idempotency_key="key-1"))
    assert app.state.idempotency == {}

    created = await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3), idempotency_key="key-1"))
    assert created.status == "pending_payment"


async def test_a_replay_after_the_first_request_stopped_before_its_payment_session_finishes_it() -> None:
    app = build()
    command = a_booking(idempotency_key="key-1")
    first = await app.create(command)
    # As if the first request had stopped between its hold and its payment session.
    (key_hash,) = app.state.idempotency
    record = app.state.idempotency[key_hash]
    app.state.idempotency[key_hash] = type(record)(
        record.key_hash, record.request_hash, record.booking_id, record.token_cipher
    )

    replayed = await app.create(command)

    assert replayed == first
    assert app.state.idempotency[key_hash].response is not None
    assert len(app.state.bookings) == 1


# Slots and refusals


async def test_a_second_booking_of_the_one_van_in_an_overlapping_slot_is_refused() -> None:
    app = build()
    await app.create(a_booking(start=TUESDAY_TEN))

    with pytest.raises(SlotUnavailable):
        await app.create(a_booking(start=TUESDAY_TEN + timedelta(minutes=30), email="bob@example.com"))

    assert len(app.state.bookings) == 1


async def test_the_vans_buffer_keeps_it_busy_after_each_booking() -> None:
    app = build()
    await app.create(a_booking(start=TUESDAY_TEN))

    with pytest.raises(SlotUnavailable):
        await app.create(a_booking(start=TUESDAY_TEN + timedelta(minutes=60)))
    after_buffer = await app.create(a_booking(start=TUESDAY_TEN + timedelta(minutes=75)))

    assert after_buffer.resource_id == "van-1"


async def test_two_coaches_take_two_bookings_of_the_same_slot_and_refuse_a_third() -> None:
    app = build()

    one = await app.create(a_booking("coaching", TUESDAY_TEN))
    two = await app.create(a_booking("coaching", TUESDAY_TEN))
    with pytest.raises(SlotUnavailable):
        await app.create(a_booking("coaching", TUESDAY_TEN))

    assert {one.resource_id, two.resource_id} == {"coach-1", "coach-2"}


async def test_a_workshop_of_three_seats_takes_three_bookings_and_refuses_the_fourth() -> None:
    app = build()

    for n in range(3):
        await app.create(a_booking("workshop", TUESDAY_TEN, email=f"guest{n}@example.com"))
    with pytest.raises(SlotUnavailable):
        await app.create(a_booking("workshop", TUESDAY_TEN, email="guest3@example.com"))

    assert len(app.state.bookings) == 3
    later = await app.create(a_booking("workshop", TUESDAY_TEN + timedelta(hours=1)))
    assert later.status == "pending_payment"


async def test_a_start_outside_opening_hours_is_an_invalid_start() -> None:
    app = build()
    eight_in_the_evening = datetime(2026, 6, 2, 20, 0, tzinfo=PARIS)

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking("coaching", eight_in_the_evening))

    assert set(error.value.fields) == {"start"}
    assert app.state.bookings == {}


async def test_a_slot_that_runs_past_closing_time_is_an_invalid_start() -> None:
    app = build()
    half_past_four = datetime(2026, 6, 2, 16, 30, tzinfo=PARIS)

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking("coaching", half_past_four))

    assert set(error.value.fields) == {"start"}


async def test_a_start_on_a_closed_day_is_an_invalid_start() -> None:
    app = build()
    saturday_ten = datetime(2026, 6, 6, 10, 0, tzinfo=PARIS)

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking("coaching", saturday_ten))

    assert set(error.value.fields) == {"start"}


async def test_a_start_in_the_past_is_an_invalid_start() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking(start=NOW - timedelta(hours=1)))

    assert set(error.value.fields) == {"start"}


async def test_a_start_without_an_offset_is_an_invalid_start() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking(start=TUESDAY_TEN.replace(tzinfo=None)))

    assert set(error.value.fields) == {"start"}


async def test_a_start_that_is_not_on_a_whole_minute_is_an_invalid_start() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking(start=TUESDAY_TEN + timedelta(seconds=30)))

    assert set(error.value.fields) == {"start"}


async def test_an_unknown_offering_is_refused() -> None:
    app = build()

    with pytest.raises(UnknownOffering):
        await app.create(a_booking("hot-air-balloon"))


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "ada@example", "ada @example.com", ""])
async def test_an_invalid_email_is_refused(email: str) -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking(email=email))

    assert set(error.value.fields) == {"customer.email"}
    assert app.state.bookings == {}
    assert app.state.customers == {}


async def test_an_unknown_payment_provider_is_refused() -> None:
    app = build()

    with pytest.raises(InvalidRequest) as error:
        await app.create(a_booking(payment_provider="bitcoin"))

    assert set(error.value.fields) == {"payment_provider"}
    assert "sandbox" in error.value.fields["payment_provider"]
    assert app.state.bookings == {}


async def test_a_start_given_in_another_offset_books_the_same_utc_slot() -> None:
    app = build()

    created = await app.create(a_booking(start=datetime(2026, 6, 2, 10, 0, tzinfo=PARIS)))

    assert created.start == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    assert created.start is not None
    assert created.start.utcoffset() == timedelta(0)


# A concurrent request with the same key: it took the key between our look-up and our insert.


class _TooLateToSeeTheKey(FakeUnitOfWork):
    """A unit of work whose look-up misses the key, as when another request inserts it just after."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()

        async def nothing(key_hash: str) -> None:
            return None

        self.idempotency.get = nothing  # type: ignore[method-assign]
        return self


class _RacingFactory(FakeUnitOfWorkFactory):
    def __init__(self, state: MemoryState, *, blind_reads: int) -> None:
        super().__init__(state)
        self.blind_reads = blind_reads

    def __call__(
        self, *, read_only: bool = False, single_write: bool = False, optimistic: bool = False
    ) -> FakeUnitOfWork:
        if read_only and self.blind_reads:
            self.blind_reads -= 1
            return _TooLateToSeeTheKey(self.state)
        return FakeUnitOfWork(self.state)


def _racing(app: Handlers, *, blind_reads: int) -> CreateBookingHandler:
    return CreateBookingHandler(
        _RacingFactory(app.state, blind_reads=blind_reads),
        app.catalog,
        {"sandbox": SandboxPaymentGateway(PUBLIC_URL)},
        app.clock,
        hold=HOLD,
        default_provider="sandbox",
    )


async def test_a_request_that_loses_the_race_for_its_key_gets_the_winners_response() -> None:
    app = build()
    command = a_booking(idempotency_key="key-1")
    first = await app.create(command)

    replayed = await _racing(app, blind_reads=1)(command)

    assert replayed == first
    assert len(app.state.bookings) == 1


async def test_a_request_that_loses_the_race_for_its_key_with_another_body_is_refused() -> None:
    app = build()
    await app.create(a_booking(idempotency_key="key-1"))

    with pytest.raises(IdempotencyKeyReused):
        await _racing(app, blind_reads=1)(
            a_booking(start=TUESDAY_TEN + timedelta(hours=3), idempotency_key="key-1")
        )

    assert len(app.state.bookings) == 1


async def test_a_replay_after_the_start_has_passed_still_returns_the_first_response() -> None:
    app = build()
    soon = NOW + timedelta(minutes=10)
    command = a_booking(start=soon, idempotency_key="key-1")
    first = await app.create(command)
    app.clock.advance(timedelta(minutes=15))

    replayed = await app.create(command)

    assert replayed == first


async def test_an_offering_open_around_the_clock_takes_a_booking_across_midnight() -> None:
    app = build()

    created = await app.create(a_booking(start=datetime(2026, 6, 2, 23, 30, tzinfo=PARIS)))

    assert created.end == datetime(2026, 6, 3, 0, 30, tzinfo=PARIS)
