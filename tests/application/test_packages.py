"""A package's sessions through the use cases on the in-memory store: one payment, N sessions, each a
booking of its own with its coach and its messages; racing for the last credit gives one session."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.providers.mock.gateways import HubOnlyScheduling
from application.bookings.commands import BookingCreated
from application.packages.commands import ScheduleSession
from application.packages.sessions import CancelSession, ScheduleSessionHandler
from application.payments.commands import PaymentLinkPaid, PaymentOutcome, PaymentSucceeded
from application.payments.payment_links import PaymentLinkPaidHandler
from application.scheduling.commands import ScheduleBooking
from application.scheduling.schedule import ScheduleBookingHandler
from domain.errors import (
    IllegalTransition,
    NoSessionsLeft,
    NotAPackage,
    OutsideValidity,
    PaymentRequired,
    SlotUnavailable,
)
from domain.statuses import BookingStatus
from tests.application.builders import TUESDAY_TEN, Handlers, a_booking, build

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def sessions_of(app: Handlers) -> tuple[ScheduleSessionHandler, CancelSession]:
    return (
        ScheduleSessionHandler(app.uow, app.catalog, app.clock, HubOnlyScheduling()),
        CancelSession(app.uow, app.catalog, app.clock),
    )


async def a_paid_package(app: Handlers, email: str = "ada@example.com") -> BookingCreated:
    created = await app.create(a_booking("coaching-four", None, email=email))
    await app.payment_event(
        PaymentSucceeded("sandbox", f"evt-{created.booking_id}", created.booking_id, 32000, "EUR")
    )
    return created


async def test_a_paid_package_schedules_four_sessions_on_the_coaches_and_refuses_the_fifth() -> None:
    app = build()
    schedule, _ = sessions_of(app)
    package = await a_paid_package(app)
    starts = [TUESDAY_TEN, TUESDAY_TEN, TUESDAY_TEN + DAY, TUESDAY_TEN + 2 * DAY]
    views = [
        await schedule(ScheduleSession(package.booking_id, start, token=package.booking_token))
        for start in starts
    ]
    assert [v.session.resource_id for v in views[:2]] == ["coach-1", "coach-2"]
    assert [v.package.credits.left for v in views if v.package.credits] == [3, 2, 1, 0]
    with pytest.raises(NoSessionsLeft):
        await schedule(
            ScheduleSession(package.booking_id, TUESDAY_TEN + 3 * DAY, token=package.booking_token)
        )
    view = await app.get(package.booking_id, token=package.booking_token, admin=False)
    assert [s.status for s in view.sessions] == [BookingStatus.SCHEDULED] * 4
    # The package is confirmed to the ERP and accounting once; each session has its own confirmation.
    topics = [(m.topic, m.booking_id) for m in app.state.outbox]
    assert [t for t in topics if t[0] in ("erp.booking_confirmed", "odoo.booking_paid")] == [
        ("erp.booking_confirmed", package.booking_id),
        ("odoo.booking_paid", package.booking_id),
    ]
    confirmed = [b for t, b in topics if t == "email.booking_confirmed"]
    assert confirmed == [package.booking_id, *(v.session.id for v in views)]


async def test_both_coaches_taken_is_slot_unavailable_and_keeps_the_credit() -> None:
    app = build()
    schedule, _ = sessions_of(app)
    package = await a_paid_package(app)
    for _ in range(2):
        await schedule(ScheduleSession(package.booking_id, TUESDAY_TEN, token=package.booking_token))
    with pytest.raises(SlotUnavailable):
        await schedule(ScheduleSession(package.booking_id, TUESDAY_TEN, token=package.booking_token))
    view = await app.get(package.booking_id, token=package.booking_token, admin=False)
    assert view.booking.credits is not None
    assert view.booking.credits.left == 2


async def test_refusals_not_paid_outside_validity_not_a_package_and_schedule_on_a_package() -> None:
    app = build()
    schedule, _ = sessions_of(app)
    unpaid = await app.create(a_booking("coaching-four", None))
    with pytest.raises(PaymentRequired):
        await schedule(ScheduleSession(unpaid.booking_id, TUESDAY_TEN, token=unpaid.booking_token))
    package = await a_paid_package(app, "grace@example.com")
    with pytest.raises(OutsideValidity):  # paid on 1 June: valid until 2 July, 10:00 Paris
        await schedule(
            ScheduleSession(package.booking_id, TUESDAY_TEN + 35 * DAY, token=package.booking_token)
        )
    single = await app.create(a_booking("coaching", TUESDAY_TEN, email="bob@example.com"))
    with pytest.raises(NotAPackage):
        await schedule(ScheduleSession(single.booking_id, TUESDAY_TEN + DAY, token=single.booking_token))
    once = ScheduleBookingHandler(app.uow, app.catalog, app.clock, HubOnlyScheduling())
    with pytest.raises(IllegalTransition):
        await once(ScheduleBooking(package.booking_id, TUESDAY_TEN, token=package.booking_token))


async def test_a_session_cancelled_a_day_ahead_gives_its_credit_back_and_a_late_one_does_not() -> None:
    app = build()
    schedule, cancel = sessions_of(app)
    package = await a_paid_package(app)
    token = package.booking_token
    early = await schedule(ScheduleSession(package.booking_id, TUESDAY_TEN + 2 * DAY, token=token))
    late = await schedule(ScheduleSession(package.booking_id, TUESDAY_TEN, token=token))
    back = await cancel(package.booking_id, early.session.id, token=token, admin=False)
    assert (back.session.status, back.package.credits and back.package.credits.left) == (
        BookingStatus.CANCELLED,
        3,
    )
    app.clock.advance(timedelta(hours=23))  # one hour before Tuesday's session
    kept = await cancel(package.booking_id, late.session.id, token=token, admin=False)
    assert kept.package.credits is not None
    assert kept.package.credits.left == 3
    cancelled = [m.booking_id for m in app.state.outbox if m.topic == "email.booking_cancelled"]
    assert cancelled == [early.session.id, late.session.id]


async def test_cancelling_the_package_cancels_upcoming_sessions_and_refunds_the_rest_pro_rata() -> None:
    app = build()
    schedule, _ = sessions_of(app)
    package = await a_paid_package(app)
    await schedule(ScheduleSession(package.booking_id, TUESDAY_TEN + 7 * DAY, token=package.booking_token))
    cancelled = await app.cancel(package.booking_id, token=package.booking_token, admin=False)
    assert cancelled.status is BookingStatus.CANCELLED
    [refund] = [m for m in app.state.outbox if m.topic == "sandbox.refund"]
    assert refund.payload == {}  # nothing was used: the whole payment goes back
    view = await app.get(package.booking_id, token=package.booking_token, admin=True)
    assert [s.status for s in view.sessions] == [BookingStatus.CANCELLED]


async def test_twenty_requests_racing_for_the_last_credit_give_one_session() -> None:
    app = build()
    schedule, _ = sessions_of(app)
    package = await a_paid_package(app)
    token = package.booking_token
    for day in range(3):
        await schedule(ScheduleSession(package.booking_id, TUESDAY_TEN + day * DAY, token=token))
    results = await asyncio.gather(
        *(
            schedule(
                ScheduleSession(
                    package.booking_id, TUESDAY_TEN + (7 + i // 7) * DAY + i % 7 * HOUR, token=token
                )
            )
            for i in range(20)
        ),
        return_exceptions=True,
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    assert len(made) == 1
    assert all(isinstance(r, NoSessionsLeft) for r in results if isinstance(r, BaseException))
    stored = [b for b in app.state.bookings.values() if b.package_id == package.booking_id]
    assert len(stored) == 4
    assert app.state.bookings[package.booking_id].credits.used == 4  # type: ignore[union-attr]


async def test_a_package_bought_through_a_payment_link_holds_its_credits_from_that_payment() -> None:
    app = build()
    paid = PaymentLinkPaid(
        "stripe", "evt-link", "plink_four", "cs_1", 32000, "EUR", "ada@example.com", "Ada", None, "pi_1"
    )
    assert await PaymentLinkPaidHandler(app.uow, app.catalog, app.clock)(paid) is PaymentOutcome.APPLIED
    [package] = app.state.bookings.values()
    assert package.credits is not None
    assert (package.credits.total, package.credits.left) == (4, 4)
    assert package.credits.valid_until == app.clock.now() + 31 * DAY
