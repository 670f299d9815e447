"""The composition root: the only module that wires adapters to ports."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.catalog.toml_catalog import TomlCatalog
from adapters.clock import SystemClock
from adapters.persistence.database import create_database
from adapters.persistence.outbox_queue import SqlOutboxQueue
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from adapters.providers.acuity import AcuityClient
from adapters.providers.calcom import CalComCancelSender, CalComClient
from adapters.providers.erp import HttpErpSender
from adapters.providers.http_lanes import HttpLanes
from adapters.providers.mock import HubOnlyScheduling, LoggingMockSender, SkippingSender
from adapters.providers.resend import ResendEmailGateway
from adapters.providers.sandbox import SandboxPaymentGateway
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.lifecycle import CancelBookingHandler, ExpireHoldsHandler
from application.bookings.queries import GetAvailability, GetBooking, ListBookings, ListOfferings
from application.notifications.email import EmailNotificationSender
from application.outbox.deliver import DeliverOutboxMessages
from application.outbox.health import GetHealth
from application.outbox.prune import PruneSettledMessages
from application.outbox.sync_queue import ListSyncQueue, RetryOutboxMessage
from application.payments.payment_events import PaymentEventHandler
from application.scheduling.appointments import AppointmentReportedHandler
from application.scheduling.schedule import ScheduleBookingHandler
from entrypoints.settings import Settings
from entrypoints.worker import Worker


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
    appointment_reported = providers.Singleton(AppointmentReportedHandler, uow, catalog, clock)

    # The outbox: one queue, a sender per topic target; integrations without an adapter yet are mock.
    http = providers.Singleton(HttpLanes, lanes=settings.provided.outbox_concurrency)
    outbox_queue = providers.Singleton(SqlOutboxQueue, database)
    mock_sender = providers.Singleton(LoggingMockSender)
    acuity = providers.Singleton(
        AcuityClient,
        http,
        user_id=settings.provided.acuity_user_id,
        api_key=settings.provided.acuity_api_key,
        api_base=settings.provided.acuity_api_base,
    )
    calcom = providers.Singleton(
        CalComClient,
        http,
        api_key=settings.provided.cal_api_key,
        api_base=settings.provided.cal_api_base,
        api_version=settings.provided.cal_api_version,
    )
    scheduling = providers.Selector(
        settings.provided.calcom_mode, connected=calcom, mock=providers.Singleton(HubOnlyScheduling)
    )
    schedule_booking = providers.Singleton(ScheduleBookingHandler, uow, catalog, clock, scheduling)
    calcom_sender = providers.Selector(
        settings.provided.calcom_mode,
        connected=providers.Singleton(CalComCancelSender, calcom),
        mock=mock_sender,
    )
    erp_sender = providers.Selector(
        settings.provided.erp_mode,
        connected=providers.Singleton(
            HttpErpSender,
            http,
            url=settings.provided.erp_ingest_url,
            secret=settings.provided.booking_ingest_secret,
        ),
        mock=mock_sender,
        disabled=providers.Singleton(SkippingSender, "erp"),
    )
    email_sender = providers.Selector(
        settings.provided.resend_mode,
        connected=providers.Singleton(
            EmailNotificationSender,
            uow,
            catalog,
            providers.Singleton(
                ResendEmailGateway,
                http,
                api_key=settings.provided.resend_api_key,
                sender=settings.provided.resend_from,
                api_base=settings.provided.resend_api_base,
            ),
        ),
        mock=mock_sender,
    )
    senders = providers.Dict(
        erp=erp_sender,
        email=email_sender,
        sms=mock_sender,
        odoo=mock_sender,
        driver_app=mock_sender,
        calcom=calcom_sender,
    )
    deliver_outbox = providers.Singleton(
        DeliverOutboxMessages,
        outbox_queue,
        senders,
        clock,
        policy=settings.provided.retry_policy,
        lease=settings.provided.claim_lease,
        batch=settings.provided.outbox_batch,
        concurrency=settings.provided.outbox_concurrency,
    )
    prune_outbox = providers.Singleton(
        PruneSettledMessages, outbox_queue, clock, retention_days=settings.provided.outbox_retention_days
    )
    list_sync_queue = providers.Singleton(ListSyncQueue, outbox_queue)
    retry_outbox_message = providers.Singleton(RetryOutboxMessage, outbox_queue, clock)
    get_health = providers.Singleton(
        GetHealth, outbox_queue, clock, integrations=settings.provided.integrations
    )
    worker = providers.Singleton(
        Worker,
        expire_holds=expire_holds,
        deliver=deliver_outbox,
        prune=prune_outbox,
        poll_seconds=settings.provided.worker_poll_seconds,
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.catalog()  # validate the catalog at start: a broken one stops here, naming file and key
    return container
