"""The composition root: the only module that wires adapters to ports."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.catalog.toml_catalog import TomlCatalog
from adapters.clock import SystemClock
from adapters.persistence.database import create_database
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from adapters.providers.sandbox import SandboxPaymentGateway
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.lifecycle import CancelBookingHandler, ExpireHoldsHandler
from application.bookings.queries import GetAvailability, GetBooking, ListBookings, ListOfferings
from application.payments.payment_events import PaymentEventHandler
from entrypoints.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    database = providers.Singleton(
        create_database, settings.provided.database_url, pool_size=settings.provided.db_pool_size
    )
    clock = providers.Singleton(SystemClock)
    catalog = providers.Singleton(TomlCatalog, settings.provided.catalog_path)
    uow = providers.Singleton(SqlAlchemyUnitOfWorkFactory, database)

    sandbox_payments = providers.Singleton(SandboxPaymentGateway, settings.provided.public_url)
    payments = providers.Dict(sandbox=sandbox_payments)

    list_offerings = providers.Singleton(ListOfferings, catalog)
    get_availability = providers.Singleton(GetAvailability, uow, catalog, clock)
    create_booking = providers.Singleton(
        CreateBookingHandler,
        uow,
        catalog,
        payments,
        clock,
        hold=settings.provided.hold,
        default_provider=settings.provided.payment_mode,
    )
    get_booking = providers.Singleton(GetBooking, uow)
    list_bookings = providers.Singleton(ListBookings, uow)
    cancel_booking = providers.Singleton(CancelBookingHandler, uow, clock)
    expire_holds = providers.Singleton(ExpireHoldsHandler, uow, clock)
    payment_events = providers.Singleton(PaymentEventHandler, uow, clock)


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.catalog()  # validate the catalog at start: a broken one stops here, naming file and key
    return container
