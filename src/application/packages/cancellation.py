"""Cancelling a package's session, or the package itself, inside a caller's unit of work: the same rule
whoever cancels (the customer, an admin, a Cal.com notification), the offering's cancellation policy."""

from __future__ import annotations

from datetime import datetime

from application.ports import CatalogSource, UnitOfWork
from domain.booking import Booking
from domain.package import cancel_package, cancel_session


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
    policy = catalog.catalog.cancellation_of(package.offering_id)
    return cancel_session(package, session, now=now, policy=policy, by_provider=by_provider)


async def cancel_a_package(
    uow: UnitOfWork,
    catalog: CatalogSource,
    package: Booking,
    *,
    now: datetime,
    refund_cents: int | None = None,
) -> int:
    """Cancel a package locked by the caller: its upcoming sessions too, the credits left refunded pro
    rata (or `refund_cents`). Returns what the cancellation refunds."""
    sessions = await uow.bookings.sessions_of(package.id, for_update=True)
    policy = catalog.catalog.cancellation_of(package.offering_id)
    return cancel_package(package, sessions, now=now, policy=policy, refund_cents=refund_cents)


async def session_may_start(uow: UnitOfWork, session: Booking, start: datetime) -> bool:
    """Whether a session may move to `start`: inside its package's validity."""
    assert session.package_id is not None  # noqa: S101 - callers pass a session
    package = await uow.bookings.get(session.package_id)
    return package is None or package.credits is None or package.credits.covers(start)
