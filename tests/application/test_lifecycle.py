"""Changing existing bookings: cancelling, and expiring holds that ran out."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from application.errors import NotFound
from application.payments.commands import PaymentSucceeded
from domain.errors import IllegalTransition, SlotUnavailable
from domain.statuses import BookingStatus
from tests.application.builders import HOLD, TUESDAY_TEN, a_booking, build

# Cancelling


async def test_cancelling_releases_the_slot_for_a_new_booking() -> None:
    app = build()
    first = await app.create(a_booking())

    cancelled = await app.cancel(first.booking_id, token=first.booking_token, admin=False)
    second = await app.create(a_booking(email="bob@example.com"))

    assert cancelled.booking.status is BookingStatus.CANCELLED
    assert app.state.bookings[first.booking_id].status is BookingStatus.CANCELLED
    assert app.state.bookings[first.booking_id].hold_expires_at is None
    assert second.status == "pending_payment"
    assert second.resource_id == "van-1"


async def test_cancelling_writes_a_cancellation_email_and_sms_and_an_audit_entry() -> None:
    app = build()
    created = await app.create(a_booking())

    await app.cancel(created.booking_id, token=created.booking_token, admin=False)

    assert [(m.topic, m.idempotency_key, m.booking_id) for m in app.state.outbox] == [
        ("odoo.booking_created", f"odoo.booking_created:{created.booking_id}", created.booking_id),
        ("email.booking_cancelled", f"email.booking_cancelled:{created.booking_id}", created.booking_id),
        ("sms.booking_cancelled", f"sms.booking_cancelled:{created.booking_id}", created.booking_id),
    ]
    assert [(a.booking_id, a.from_status, a.to_status) for a in app.state.audit] == [
        (created.booking_id, "pending", "pending_payment"),
        (created.booking_id, "pending_payment", "cancelled"),
    ]
    assert app.state.audit[-1].at == app.clock.now()


async def test_cancelling_a_confirmed_free_booking_frees_its_coach() -> None:
    app = build()
    one = await app.create(a_booking("coaching", TUESDAY_TEN))
    await app.create(a_booking("coaching", TUESDAY_TEN))

    await app.cancel(one.booking_id, token=one.booking_token, admin=False)
    third = await app.create(a_booking("coaching", TUESDAY_TEN))

    assert third.resource_id == one.resource_id
    assert [m.topic for m in app.state.outbox if m.topic.startswith("email.")] == [
        "email.booking_confirmed",
        "email.booking_confirmed",
        "email.booking_cancelled",
        "email.booking_confirmed",
    ]


async def test_cancelling_a_cancelled_booking_changes_nothing() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.cancel(created.booking_id, token=created.booking_token, admin=False)
    outbox, audit = list(app.state.outbox), list(app.state.audit)
    version = app.state.bookings[created.booking_id].version

    again = await app.cancel(created.booking_id, token=created.booking_token, admin=False)

    assert again.booking.status is BookingStatus.CANCELLED
    assert app.state.outbox == outbox
    assert app.state.audit == audit
    assert app.state.bookings[created.booking_id].version == version


async def test_cancelling_an_expired_booking_is_an_illegal_transition() -> None:
    app = build()
    created = await app.create(a_booking())
    app.clock.advance(HOLD)
    assert await app.expire_holds() == 1

    try:
        await app.cancel(created.booking_id, token=created.booking_token, admin=False)
    except IllegalTransition:
        pass
    else:
        raise AssertionError("an expired booking was cancelled")
    assert app.state.bookings[created.booking_id].status is BookingStatus.EXPIRED


async def test_cancelling_a_completed_booking_is_an_illegal_transition_and_changes_nothing() -> None:
    app = build()
    created = await app.create(a_booking("coaching", TUESDAY_TEN))
    stored = app.state.bookings[created.booking_id]
    stored.move_to(BookingStatus.COMPLETED, now=app.clock.now())
    stored.events.clear()
    outbox = list(app.state.outbox)

    with pytest.raises(IllegalTransition):
        await app.cancel(created.booking_id, token=created.booking_token, admin=False)

    assert app.state.bookings[created.booking_id].status is BookingStatus.COMPLETED
    assert app.state.outbox == outbox


async def test_cancelling_with_another_bookings_token_is_not_found_and_changes_nothing() -> None:
    app = build()
    mine = await app.create(a_booking(start=TUESDAY_TEN))
    theirs = await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3)))

    with pytest.raises(NotFound):
        await app.cancel(mine.booking_id, token=theirs.booking_token, admin=False)
    with pytest.raises(NotFound):
        await app.cancel(mine.booking_id, token=None, admin=False)
    with pytest.raises(NotFound):
        await app.cancel(uuid4(), token=mine.booking_token, admin=False)

    assert app.state.bookings[mine.booking_id].status is BookingStatus.PENDING_PAYMENT
    assert {m.topic for m in app.state.outbox} == {"odoo.booking_created"}


async def test_an_admin_cancels_any_booking_without_its_token() -> None:
    app = build()
    created = await app.create(a_booking())

    cancelled = await app.cancel(created.booking_id, token=None, admin=True)

    assert cancelled.booking.status is BookingStatus.CANCELLED


# Expiring holds


async def test_the_sweep_expires_holds_that_ran_out_and_leaves_fresh_ones() -> None:
    app = build()
    old = await app.create(a_booking(start=TUESDAY_TEN))
    app.clock.advance(timedelta(minutes=10))
    fresh = await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3)))
    app.clock.advance(HOLD - timedelta(minutes=10))

    assert await app.expire_holds() == 1

    assert app.state.bookings[old.booking_id].status is BookingStatus.EXPIRED
    assert app.state.bookings[fresh.booking_id].status is BookingStatus.PENDING_PAYMENT
    assert app.state.audit[-1].to_status == "expired"
    assert {m.topic for m in app.state.outbox} == {"odoo.booking_created"}


async def test_the_sweep_counts_nothing_when_no_hold_ran_out() -> None:
    app = build()
    await app.create(a_booking())
    app.clock.advance(HOLD - timedelta(seconds=1))

    assert await app.expire_holds() == 0
    assert await app.expire_holds() == 0


async def test_the_sweep_runs_once_per_hold() -> None:
    app = build()
    await app.create(a_booking())
    app.clock.advance(HOLD)

    assert await app.expire_holds() == 1
    assert await app.expire_holds() == 0


async def test_the_sweep_leaves_confirmed_and_cancelled_bookings_alone() -> None:
    app = build()
    free = await app.create(a_booking("coaching", TUESDAY_TEN))
    paid = await app.create(a_booking(start=TUESDAY_TEN))
    cancelled = await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3)))
    await app.payment_event(PaymentSucceeded("sandbox", "evt-1", paid.booking_id, 8500, "EUR"))
    await app.cancel(cancelled.booking_id, token=cancelled.booking_token, admin=False)
    app.clock.advance(HOLD * 10)

    assert await app.expire_holds() == 0

    assert app.state.bookings[free.booking_id].status is BookingStatus.CONFIRMED
    assert app.state.bookings[paid.booking_id].status is BookingStatus.CONFIRMED
    assert app.state.bookings[cancelled.booking_id].status is BookingStatus.CANCELLED


async def test_the_sweep_works_through_more_holds_than_one_batch() -> None:
    app = build(expire_batch=2)
    for n in range(5):
        await app.create(a_booking("workshop", TUESDAY_TEN + timedelta(hours=n)))
    app.clock.advance(HOLD)

    assert await app.expire_holds() == 5

    assert {b.status for b in app.state.bookings.values()} == {BookingStatus.EXPIRED}


async def test_an_expired_hold_shows_its_slot_again_and_it_can_be_booked() -> None:
    app = build()
    first = await app.create(a_booking())
    window = (TUESDAY_TEN, TUESDAY_TEN + timedelta(minutes=30))
    assert (await app.availability("van-transfer", *window)).slots() == []
    app.clock.advance(HOLD)

    await app.expire_holds()

    assert [s.slot.start for s in (await app.availability("van-transfer", *window)).slots()] == [TUESDAY_TEN]
    second = await app.create(a_booking(email="bob@example.com"))
    assert second.booking_id != first.booking_id
    assert second.resource_id == "van-1"


async def test_a_hold_that_ran_out_frees_its_slot_even_before_the_sweep() -> None:
    app = build()
    await app.create(a_booking())
    with pytest.raises(SlotUnavailable):
        await app.create(a_booking(email="bob@example.com"))
    app.clock.advance(HOLD)

    second = await app.create(a_booking(email="bob@example.com"))

    assert second.status == "pending_payment"


async def test_a_caller_that_checked_the_customer_itself_cancels_by_the_policy() -> None:
    from dataclasses import replace

    from domain.catalog import CancellationPolicy

    app = build()
    created = await app.create(a_booking())
    offering = app.catalog.catalog.offerings["van-transfer"]
    policy = replace(offering, cancellation=CancellationPolicy(48, 20))
    app.catalog.catalog = replace(
        app.catalog.catalog, offerings={**app.catalog.catalog.offerings, "van-transfer": policy}
    )
    await app.payment_event(PaymentSucceeded("sandbox", "evt_1", created.booking_id, 8500, "EUR"))

    as_customer = await app.cancel(created.booking_id, token=None, admin=True, by_customer=True)

    assert as_customer.refund_cents == 1700
