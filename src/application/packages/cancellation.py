"""Cancelling a package's session, or the package itself, inside a caller's unit of work: the same rule
whoever cancels (the customer, an admin, a Cal.com notification)."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.ports import CatalogSource, UnitOfWork
from domain.booking import Booking
from domain.package import cancel_package, cancel_session


def notice_of(catalog: CatalogSource, booking: Booking) -> timedelta:
    """How long before a session's start it may be cancelled with its credit back (the offering's
    `free_cancellation_hours`; until the start when the offering says nothing or is gone)."""
    offering = catalog.catalog.offerings.get(booking.offering_id)
    return offering.free_cancellation if offering is not None else timedelta(0)


async def cancel_a_session(
    uow: UnitOfWork,
    catalog: CatalogSource,
    session: Booking,
    *,
    now: datetime,
    by_provider: str | None = None,
) -> bool:
    """Cancel a session; True when its credit went back to its package. The package is read without its
    row lock: its version guards the count, so a concurrent change to it makes the commit fail instead
    of losing a credit."""
    assert session.package_id is not None  # noqa: S101 - callers pass a session
    package = await uow.bookings.get(session.package_id)
    if package is None or package.credits is None:
        session.cancel(now=now, by_provider=by_provider)
        return False
    notice = notice_of(catalog, package)
    return cancel_session(package, session, now=now, notice=notice, by_provider=by_provider)


async def cancel_a_package(
    uow: UnitOfWork, catalog: CatalogSource, package: Booking, *, now: datetime
) -> None:
    """Cancel a package locked by the caller: its upcoming sessions too, the credits left refunded pro
    rata."""
    sessions = await uow.bookings.sessions_of(package.id, for_update=True)
    cancel_package(package, sessions, now=now, notice=notice_of(catalog, package))


async def session_may_start(uow: UnitOfWork, session: Booking, start: datetime) -> bool:
    """Whether a session may move to `start`: inside its package's validity."""
    assert session.package_id is not None  # noqa: S101 - callers pass a session
    package = await uow.bookings.get(session.package_id)
    return package is None or package.credits is None or package.credits.covers(start)
