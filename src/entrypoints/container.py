"""The composition root: the only module that wires adapters to ports."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.catalog.toml_catalog import TomlCatalog
from adapters.clock import SystemClock
from adapters.metrics import PrometheusMetrics
from adapters.persistence.checkpoints import SqlCheckpointStore
from adapters.persistence.database import create_database
from adapters.persistence.outbox_queue import SqlOutboxQueue
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from adapters.providers.acuity import AcuityClient
from adapters.providers.airwallex import (
    AirwallexApi,
    AirwallexExtensionPayment,
    AirwallexPaymentGateway,
    AirwallexRefundSender,
)
from adapters.providers.airwallex_webhooks import AirwallexWebhook
from adapters.providers.calcom import CalComCancelSender, CalComClient
from adapters.providers.driver_app import DriverAppGateway
from adapters.providers.erp import HttpErpSender
from adapters.providers.http_lanes import HttpLanes
from adapters.providers.mock import HubOnlyScheduling, LoggingMockSender, NoOffSessionCharges, SkippingSender
from adapters.providers.odoo import OdooAccountingGateway, OdooMockGateway, OdooXmlRpc
from adapters.providers.resend import ResendEmailGateway
from adapters.providers.sandbox import SandboxCharges, SandboxExtensionCheckout, SandboxPaymentGateway
from adapters.providers.stripe import (
    StripeApi,
    StripeExtensionCheckout,
    StripeOffSessionCharges,
    StripePaymentGateway,
    StripeRefundSender,
)
from adapters.providers.stripe_webhooks import StripeEventSource, StripeWebhook
from adapters.providers.twilio import TwilioSmsGateway
from application.accounting.invoices import AccountingSender
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.lifecycle import CancelBooking, ExpireHolds
from application.bookings.queries import GetAvailability, GetBooking, ListBookings, ListOfferings
from application.dispatch.trip_updates import MarkReady, TripStatusReportedHandler
from application.dispatch.trips import TripSender
from application.notifications.email import EmailNotificationSender
from application.notifications.sms import SmsNotificationSender
from application.outbox.deliver import DeliverOutboxMessages
from application.outbox.health import GetHealth
from application.outbox.prune import PruneSettledMessages
from application.outbox.sync_queue import ListSyncQueue, RetryOutboxMessage
from application.payments.extensions import (
    ApproveExtension,
    DeclineExtension,
    PayExtension,
    ProposeExtensionHandler,
)
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.payments.reconcile import ReconcilePayments
from application.payments.retry_payment import RetryPayment
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
    metrics = providers.Singleton(PrometheusMetrics)
    catalog = providers.Singleton(TomlCatalog, settings.provided.catalog_path)
    uow = providers.Singleton(SqlAlchemyUnitOfWorkFactory, database)
    # One HTTP client for the providers and the outbox deliveries.
    # Outbound HTTP for providers and the outbox: lanes of one keep-alive connection (http_lanes.py).
    http = providers.Singleton(HttpLanes, lanes=settings.provided.outbox_concurrency)

    # Payment gateways by the name a booking request may give as `payment_provider`. The sandbox is
    # there only without Stripe credentials: its page would otherwise let anyone mark a booking paid.
    stripe_api = providers.Singleton(
        StripeApi, settings.provided.stripe_secret_key, api_base=settings.provided.stripe_api_base
    )
    airwallex_api = providers.Singleton(
        AirwallexApi,
        http,
        clock,
        client_id=settings.provided.airwallex_client_id,
        api_key=settings.provided.airwallex_api_key,
        api_base=settings.provided.airwallex_api_base,
    )
    payments = providers.Selector(
        settings.provided.payment_mode,
        airwallex=providers.Dict(airwallex=providers.Singleton(AirwallexPaymentGateway, airwallex_api)),
        sandbox=providers.Dict(
            sandbox=providers.Singleton(SandboxPaymentGateway, settings.provided.public_url)
        ),
        stripe=providers.Dict(
            stripe=providers.Singleton(
                StripePaymentGateway, stripe_api, clock, return_url=settings.provided.return_url
            ),
            stripe_payment_intent=providers.Singleton(
                StripePaymentGateway,
                stripe_api,
                clock,
                return_url=settings.provided.return_url,
                payment_intent=True,
            ),
        ),
    )

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
    cancel_booking = providers.Singleton(CancelBooking, uow, clock)
    expire_holds = providers.Singleton(ExpireHolds, uow, clock)
    payment_events = providers.Singleton(PaymentEventHandler, uow, clock)
    trip_status = providers.Singleton(TripStatusReportedHandler, uow, clock)
    mark_ready = providers.Singleton(MarkReady, uow, clock)

    payment_link_paid = providers.Singleton(PaymentLinkPaidHandler, uow, catalog, clock)
    reconcile_payments = providers.Selector(
        settings.provided.payment_mode,
        stripe=providers.Singleton(
            ReconcilePayments,
            providers.Singleton(StripeEventSource, stripe_api),
            providers.Singleton(SqlCheckpointStore, database),
            payment_events,
            payment_link_paid,
            clock,
        ),
        sandbox=providers.Object(None),
        airwallex=providers.Object(None),
    )
    retry_payment = providers.Singleton(
        RetryPayment, uow, catalog, payments, clock, default_provider=settings.provided.payment_mode
    )
    extension_charges = providers.Selector(
        settings.provided.payment_mode,
        stripe=providers.Singleton(StripeOffSessionCharges, stripe_api),
        sandbox=providers.Singleton(SandboxCharges),
        airwallex=providers.Singleton(NoOffSessionCharges),
    )
    propose_extension = providers.Singleton(ProposeExtensionHandler, uow, clock)
    approve_extension = providers.Singleton(ApproveExtension, uow, extension_charges, clock)
    decline_extension = providers.Singleton(DeclineExtension, uow, clock)
    extension_checkout = providers.Selector(
        settings.provided.payment_mode,
        stripe=providers.Singleton(
            StripeExtensionCheckout, stripe_api, return_url=settings.provided.return_url
        ),
        sandbox=providers.Singleton(SandboxExtensionCheckout),
        airwallex=providers.Singleton(AirwallexExtensionPayment, airwallex_api),
    )
    pay_extension = providers.Singleton(PayExtension, uow, extension_checkout, clock)
    stripe_webhook = providers.Singleton(StripeWebhook, settings.provided.stripe_webhook_secret)
    airwallex_webhook = providers.Singleton(AirwallexWebhook, settings.provided.airwallex_webhook_secret)
    appointment_reported = providers.Singleton(AppointmentReportedHandler, uow, catalog, clock)

    # The outbox: one queue, a sender per topic target; integrations without an adapter yet are mock.
    outbox_queue = providers.Singleton(SqlOutboxQueue, database)
    mock_sender = providers.Singleton(LoggingMockSender)
    acuity_client = providers.Singleton(
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
    sms_sender = providers.Selector(
        settings.provided.twilio_mode,
        connected=providers.Singleton(
            SmsNotificationSender,
            uow,
            catalog,
            providers.Singleton(
                TwilioSmsGateway,
                http,
                account_sid=settings.provided.twilio_account_sid,
                auth_token=settings.provided.twilio_auth_token,
                sender=settings.provided.twilio_from,
                api_base=settings.provided.twilio_api_base,
            ),
        ),
        mock=mock_sender,
    )
    driver_app_sender = providers.Selector(
        settings.provided.driver_app_mode,
        connected=providers.Singleton(
            TripSender,
            uow,
            providers.Singleton(
                DriverAppGateway,
                http,
                url=settings.provided.driver_app_webhook_url,
                secret=settings.provided.driver_app_secret,
            ),
        ),
        mock=mock_sender,
    )
    accounting = providers.Selector(
        settings.provided.odoo_mode,
        connected=providers.Singleton(
            OdooAccountingGateway,
            providers.Singleton(
                OdooXmlRpc,
                http,
                url=settings.provided.odoo_url,
                db=settings.provided.odoo_db,
                username=settings.provided.odoo_username,
                password=settings.provided.odoo_password,
            ),
        ),
        mock=providers.Singleton(OdooMockGateway, settings.provided.odoo_mock_log),
    )
    odoo_sender = providers.Singleton(AccountingSender, uow, catalog, accounting)
    stripe_sender = providers.Selector(
        settings.provided.payment_mode,
        stripe=providers.Singleton(StripeRefundSender, stripe_api),
        sandbox=mock_sender,
        airwallex=mock_sender,
    )
    airwallex_sender = providers.Selector(
        settings.provided.payment_mode,
        airwallex=providers.Singleton(AirwallexRefundSender, airwallex_api),
        stripe=mock_sender,
        sandbox=mock_sender,
    )
    senders = providers.Dict(
        erp=erp_sender,
        email=email_sender,
        sms=sms_sender,
        odoo=odoo_sender,
        driver_app=driver_app_sender,
        stripe=stripe_sender,
        airwallex=airwallex_sender,
        sandbox=mock_sender,
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
        observe=metrics.provided.deliveries,
    )
    prune_outbox = providers.Singleton(
        PruneSettledMessages, outbox_queue, clock, retention_days=settings.provided.outbox_retention_days
    )
    list_sync_queue = providers.Singleton(ListSyncQueue, outbox_queue)
    retry_outbox_message = providers.Singleton(RetryOutboxMessage, outbox_queue, clock)
    get_health = providers.Singleton(
        GetHealth, outbox_queue, clock, integrations=settings.provided.integrations, webhooks=metrics
    )
    worker = providers.Singleton(
        Worker,
        expire_holds=expire_holds,
        deliver=deliver_outbox,
        prune=prune_outbox,
        poll_seconds=settings.provided.worker_poll_seconds,
        reconcile=reconcile_payments,
        reconcile_seconds=settings.provided.reconcile_seconds,
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.catalog()  # validate the catalog at start: a broken one stops here, naming file and key
    return container
