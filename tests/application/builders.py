"""The use cases wired by hand to the in-memory adapters: no HTTP, no SQL, one shared state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.catalog.toml_catalog import TomlCatalog
from adapters.memory.clock import FixedClock
from adapters.memory.secret_keys import StaticSecretKeys
from adapters.memory.store import FakeUnitOfWorkFactory, MemoryState
from adapters.providers.sandbox.gateway import SandboxPaymentGateway
from application.bookings.commands import CreateBooking, CustomerDetails
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.lifecycle import CancelBooking, ExpireHolds
from application.bookings.queries import GetAvailability, GetBooking, ListBookings, ListOfferings
from application.manage_links import ManageLinks
from application.payments.payment_events import PaymentEventHandler

CATALOG = Path(__file__).parent.parent / "support" / "catalog.toml"
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
HOLD = timedelta(minutes=30)  # BOOKHUB_HOLD_MINUTES' default
PUBLIC_URL = "http://bookhub.test"
LINKS = ManageLinks(StaticSecretKeys(), PUBLIC_URL)  # manage links signed with a fixed test key

# Tuesday 2026-06-02, 10:00 in Paris (CEST, +02:00), is 08:00 UTC.
TUESDAY_TEN = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


@dataclass
class Handlers:
    state: MemoryState
    uow: FakeUnitOfWorkFactory
    clock: FixedClock
    catalog: TomlCatalog
    create: CreateBookingHandler
    list_offerings: ListOfferings
    availability: GetAvailability
    get: GetBooking
    list: ListBookings
    cancel: CancelBooking
    expire_holds: ExpireHolds
    payment_event: PaymentEventHandler


def build(*, now: datetime = NOW, hold: timedelta = HOLD, expire_batch: int = 200) -> Handlers:
    uow = FakeUnitOfWorkFactory()
    clock = FixedClock(now)
    catalog = TomlCatalog(CATALOG)
    return Handlers(
        state=uow.state,
        uow=uow,
        clock=clock,
        catalog=catalog,
        create=CreateBookingHandler(
            uow,
            catalog,
            {"sandbox": SandboxPaymentGateway(PUBLIC_URL)},
            clock,
            hold=hold,
            default_provider="sandbox",
        ),
        list_offerings=ListOfferings(catalog),
        availability=GetAvailability(uow, catalog, clock),
        get=GetBooking(uow),
        list=ListBookings(uow),
        cancel=CancelBooking(uow, clock, catalog),
        expire_holds=ExpireHolds(uow, clock, batch=expire_batch),
        payment_event=PaymentEventHandler(uow, clock),
    )


def a_booking(
    offering_id: str = "van-transfer",
    start: datetime | None = TUESDAY_TEN,
    *,
    email: str = "ada@example.com",
    name: str = "Ada Lovelace",
    **fields: Any,
) -> CreateBooking:
    return CreateBooking(
        offering_id=offering_id, customer=CustomerDetails(name=name, email=email), start=start, **fields
    )
