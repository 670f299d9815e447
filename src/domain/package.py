"""Packages of sessions: one payment buys N session credits; each session is a booking of its own.

A package is a booking whose offering has `sessions`: it holds the credits (`Booking.credits`) and the
money, and is confirmed, invoiced and sent to the ERP once. A session is a child booking (`package_id`)
with its own slot, resource, status, messages and Cal.com booking; it is free in itself, since the
package paid for it. The rules: never more sessions holding a credit than the package bought, each
starting before the package's validity ends, and a session cancelled in time gives its credit back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from domain.booking import Booking
from domain.catalog import Money, Offering
from domain.credits import SessionCredits
from domain.errors import IllegalTransition, NotAPackage, PaymentRequired
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus

_B = BookingStatus
_P = PaymentStatus
# A package whose money arrived (or that costs nothing): its credits can be spent.
_FUNDED: Final = frozenset({_P.PAID, _P.NOT_REQUIRED, _P.PARTIALLY_REFUNDED})
# A session that can still be cancelled (before it starts).
_UPCOMING: Final = frozenset({_B.CONFIRMED, _B.SCHEDULED})


def credits_for(offering: Offering) -> SessionCredits | None:
    """A new booking's credits: those of a package, none for any other offering."""
    return SessionCredits(offering.sessions, offering.valid_days) if offering.sessions is not None else None


def credits_of(package: Booking) -> SessionCredits:
    if package.credits is None:
        raise NotAPackage("this booking is not a package of sessions; schedule it with /schedule")
    return package.credits


def schedule_session(
    package: Booking, *, session_id: UUID, slot: Slot, buffer: timedelta, now: datetime
) -> Booking:
    """A new session of the package at `slot`, taking one credit: `scheduled`, confirmed to the customer
    on its own. The package must be paid and confirmed, have a credit left, and still be valid then."""
    credits = credits_of(package)
    if package.status is _B.PENDING_PAYMENT or package.payment_status not in _FUNDED:
        raise PaymentRequired(f"the package's payment is {package.payment_status}, not paid")
    if package.status is not _B.CONFIRMED:
        raise IllegalTransition("booking", package.status, "session scheduled")
    credits.take(slot.start)
    session = Booking.new(
        id=session_id,
        offering_id=package.offering_id,
        customer_id=package.customer_id,
        price=Money(0, package.price.currency),
        slot=slot,
        buffer=buffer,
        resource_id=None,
        now=now,
        hold=timedelta(0),
    )
    session.package_id = package.id
    session.move_to(_B.SCHEDULED, now=now)
    return session


def cancel_session(
    package: Booking, session: Booking, *, now: datetime, notice: timedelta, by_provider: str | None = None
) -> bool:
    """Cancel one session of the package; its credit comes back when it is cancelled at least `notice`
    before its start. True when it did. A session cancelled already changes nothing; one that has begun
    (or is done) stays."""
    credits = credits_of(package)
    if session.package_id != package.id:
        raise ValueError(f"session {session.id} is not one of package {package.id}")
    if session.status is _B.CANCELLED:
        return False
    if session.slot is None or session.slot.start <= now or session.status not in _UPCOMING:
        raise IllegalTransition("booking", session.status, _B.CANCELLED)
    in_time = now <= session.slot.start - notice
    session.cancel(now=now, by_provider=by_provider)
    if in_time:
        credits.give_back()
    return in_time


def unused_value(package: Booking, now: datetime) -> int:
    """What the credits not spent are worth, pro rata of the price, rounded down to the cent; nothing
    once the package's validity has ended."""
    credits = credits_of(package)
    if credits.lapsed(now) or credits.total <= 0:
        return 0
    return package.price.amount_cents * credits.left // credits.total


def cancel_package(
    package: Booking, sessions: Iterable[Booking], *, now: datetime, notice: timedelta
) -> None:
    """Cancel the package: its upcoming sessions are cancelled (each giving its credit back under the
    offering's notice), sessions already held stay, and the credits left are refunded pro rata."""
    credits_of(package)
    if package.status is _B.CANCELLED:
        return
    for session in sessions:
        if session.status in _UPCOMING and session.slot is not None and session.slot.start > now:
            cancel_session(package, session, now=now, notice=notice)
    refund = unused_value(package, now)
    package.cancel(now=now, refund=None if refund == package.price.amount_cents else refund)
