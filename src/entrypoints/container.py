"""The composition root: the only module that wires adapters to ports."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.babel_formats import BabelFormats
from adapters.catalog.toml_catalog import TomlCatalog
from adapters.clock import SystemClock
from adapters.metrics import PrometheusMetrics
from adapters.passwords import Argon2Passwords
from adapters.persistence.checkpoints import SqlCheckpointStore
from adapters.persistence.database import create_database
from adapters.persistence.outbox_queue import SqlOutboxQueue
from adapters.persistence.personal_data import SqlPersonalDataFactory
from adapters.persistence.secret_keys import SqlSecretKeys
from adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from adapters.providers.acuity.client import AcuityClient
from adapters.providers.acuity.webhook import AcuityWebhook
from adapters.providers.airwallex.client import AirwallexApi
from adapters.providers.airwallex.senders import AirwallexRefundSender
from adapters.providers.airwallex.webhook import AirwallexWebhook
from adapters.providers.calcom.client import CalComClient
from adapters.providers.calcom.senders import CalComCancelSender, CalComRescheduleSender
from adapters.providers.calcom.webhook import CalComWebhook
from adapters.providers.driver_app.gateway import DriverAppGateway
from adapters.providers.driver_app.webhook import DriverAppWebhook
from adapters.providers.erp.senders import HttpErpSender
from adapters.providers.http_lanes import HttpLanes
from adapters.providers.mock.gateways import HubOnlyScheduling
from adapters.providers.mock.senders import LoggingMockSender, SkippingSender
from adapters.providers.odoo.client import OdooXmlRpc
from adapters.providers.odoo.gateway import OdooAccountingGateway
from adapters.providers.odoo.mock import OdooMockGateway
from adapters.providers.resend.gateway import ResendEmailGateway
from adapters.providers.stripe.client import StripeApi
from adapters.providers.stripe.senders import StripeCustomerEraser, StripeRefundSender
from adapters.providers.stripe.webhook import StripeWebhook
from adapters.providers.twilio.gateway import TwilioSmsGateway
from application.accounting.invoices import AccountingSender
from application.accounting.money_report import MakeMoneyReport
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.lifecycle import CancelBooking, ExpireHolds, QuoteCancellation
from application.bookings.queries import (
    GetAvailability,
    GetBooking,
    GetDayStarts,
    GetOffering,
    ListBookings,
    ListOfferings,
)
from application.bookings.reschedule import RescheduleBookingHandler
from application.dispatch.trip_updates import MarkReady, TripStatusReportedHandler
from application.dispatch.trips import TripSender
from application.manage_links import ManageLinks
from application.notifications.email import EmailNotificationSender
from application.notifications.reminders import PlanReminders
from application.notifications.sms import SmsNotificationSender
from application.outbox.deliver import DeliverOutboxMessages
from application.outbox.health import GetHealth
from application.outbox.sync_queue import ListSyncQueue, RetryOutboxMessage
from application.packages.sessions import CancelSession, ScheduleSessionHandler
from application.payments.extensions import (
    ApproveExtension,
    DeclineExtension,
    PayExtension,
    ProposeExtensionHandler,
)
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.payments.retry_payment import RetryPayment
from application.payments.sandbox_refunds import SandboxRefunds
from application.privacy.erase import EraseCustomer
from application.privacy.export import ExportCustomerData
from application.privacy.retention import EraseLapsedCustomers
from application.scheduling.appointments import AppointmentReportedHandler
from application.scheduling.schedule import ScheduleBookingHandler
from entrypoints.booking_actions import booking_actions as staff_booking_actions
from entrypoints.console_views_wiring import console_views, outbox_pruning
from entrypoints.console_wiring import staff_services
from entrypoints.payment_providers import extension_charges as off_session_charges
from entrypoints.payment_providers import extension_checkouts, payment_gateways, reconciliation, statements
from entrypoints.settings import Settings
from entrypoints.web.console.access import ConsoleAccess
from entrypoints.web.console.booking_page import Page
from entrypoints.web.security import Csrf
from entrypoints.webhook_dispatch import WebhookDispatch
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
    # The signing key (BOOKHUB_SECRET_KEY, else generated once and kept) and the manage links it signs.
    secret_keys = providers.Singleton(SqlSecretKeys, database, settings.provided.secret_key)
    manage_links = providers.Singleton(ManageLinks, secret_keys, settings.provided.public_url)
    csrf = providers.Singleton(Csrf, secret_keys, secure=settings.provided.secure_cookies)
    # Outbound HTTP for providers and the outbox: lanes of one keep-alive connection (http_lanes.py).
    http = providers.Singleton(HttpLanes, lanes=settings.provided.outbox_concurrency)
    # Integrations without credentials (mock) settle their outbox messages at once.
    mock_sender = providers.Singleton(LoggingMockSender)
    message_formats = providers.Singleton(BabelFormats)
    payment_mode = settings.provided.payment_mode  # the default payment provider, else `sandbox`

    # Providers: one block each, configured by its own settings (`settings.<name>`, its package's
    # settings.py); a sender is live in its provider's `connected` mode and mock otherwise.
    stripe_settings = settings.provided.stripe
    stripe_api = providers.Singleton(StripeApi, stripe_settings.secret_key, api_base=stripe_settings.api_base)
    stripe_webhook = providers.Singleton(StripeWebhook, stripe_settings.webhook_secret)
    stripe_sender = providers.Selector(
        stripe_settings.mode, connected=providers.Singleton(StripeRefundSender, stripe_api), mock=mock_sender
    )
    stripe_customer_eraser = providers.Selector(
        stripe_settings.mode,
        connected=providers.Singleton(StripeCustomerEraser, stripe_api),
        mock=mock_sender,
    )

    airwallex_settings = settings.provided.airwallex
    airwallex_api = providers.Singleton(
        AirwallexApi,
        http,
        clock,
        client_id=airwallex_settings.client_id,
        api_key=airwallex_settings.api_key,
        api_base=airwallex_settings.api_base,
    )
    airwallex_webhook = providers.Singleton(AirwallexWebhook, airwallex_settings.webhook_secret)
    airwallex_sender = providers.Selector(
        airwallex_settings.mode,
        connected=providers.Singleton(AirwallexRefundSender, airwallex_api),
        mock=mock_sender,
    )

    acuity_settings = settings.provided.acuity
    acuity = providers.Singleton(
        AcuityClient,
        http,
        user_id=acuity_settings.user_id,
        api_key=acuity_settings.api_key,
        api_base=acuity_settings.api_base,
    )
    acuity_webhook = providers.Singleton(AcuityWebhook, acuity, api_key=acuity_settings.api_key)

    calcom_settings = settings.provided.calcom
    calcom = providers.Singleton(
        CalComClient,
        http,
        api_key=calcom_settings.api_key,
        api_base=calcom_settings.api_base,
        api_version=calcom_settings.api_version,
    )
    calcom_webhook = providers.Singleton(CalComWebhook, calcom_settings.webhook_secret)
    scheduling = providers.Selector(
        calcom_settings.mode, connected=calcom, mock=providers.Singleton(HubOnlyScheduling)
    )
    calcom_sender = providers.Selector(
        calcom_settings.mode, connected=providers.Singleton(CalComCancelSender, calcom), mock=mock_sender
    )
    calcom_reschedule_sender = providers.Selector(
        calcom_settings.mode,
        connected=providers.Singleton(CalComRescheduleSender, calcom, uow),
        mock=mock_sender,
    )

    odoo_settings = settings.provided.odoo
    accounting = providers.Selector(
        odoo_settings.mode,
        connected=providers.Singleton(
            OdooAccountingGateway,
            providers.Singleton(
                OdooXmlRpc,
                http,
                url=odoo_settings.url,
                db=odoo_settings.db,
                username=odoo_settings.username,
                password=odoo_settings.password,
            ),
        ),
        mock=providers.Singleton(OdooMockGateway, odoo_settings.mock_log),
    )
    odoo_sender = providers.Singleton(AccountingSender, uow, catalog, accounting)
    money_report = providers.Singleton(
        MakeMoneyReport,
        uow,
        accounting,
        providers.Singleton(statements, settings, stripe_api.provider, airwallex_api.provider),
    )

    erp_settings = settings.provided.erp
    erp_sender = providers.Selector(
        erp_settings.mode,
        connected=providers.Singleton(
            HttpErpSender, http, url=erp_settings.ingest_url, secret=erp_settings.ingest_secret
        ),
        mock=mock_sender,
        disabled=providers.Singleton(SkippingSender, "erp"),
    )

    twilio_settings = settings.provided.twilio
    sms_gateway = providers.Singleton(
        TwilioSmsGateway,
        http,
        account_sid=twilio_settings.account_sid,
        auth_token=twilio_settings.auth_token,
        sender=twilio_settings.sender,
        api_base=twilio_settings.api_base,
    )
    sms_sender = providers.Selector(
        twilio_settings.mode,
        connected=providers.Singleton(
            SmsNotificationSender, uow, catalog, sms_gateway, manage_links, clock, message_formats
        ),
        mock=mock_sender,
    )

    resend_settings = settings.provided.resend
    email_gateway = providers.Singleton(
        ResendEmailGateway,
        http,
        api_key=resend_settings.api_key,
        sender=resend_settings.sender,
        api_base=resend_settings.api_base,
    )
    email_sender = providers.Selector(
        resend_settings.mode,
        connected=providers.Singleton(
            EmailNotificationSender, uow, catalog, email_gateway, manage_links, clock, message_formats
        ),
        mock=mock_sender,
    )

    driver_app_settings = settings.provided.driver_app
    driver_app_gateway = providers.Singleton(
        DriverAppGateway, http, url=driver_app_settings.webhook_url, secret=driver_app_settings.secret
    )
    driver_app_webhook = providers.Singleton(DriverAppWebhook, driver_app_settings.secret)
    driver_app_sender = providers.Selector(
        driver_app_settings.mode,
        connected=providers.Singleton(TripSender, uow, driver_app_gateway),
        mock=mock_sender,
    )

    # Every configured payment provider is live: the gateways by the `payment_provider` a booking may
    # name, and per provider the extension charges and checkouts (payment_providers.py).
    payments = providers.Singleton(
        payment_gateways, settings, stripe_api.provider, airwallex_api.provider, clock
    )
    extension_charges = providers.Singleton(off_session_charges, settings, stripe_api.provider)
    extension_checkout = providers.Singleton(
        extension_checkouts, settings, stripe_api.provider, airwallex_api.provider
    )

    # Use cases.
    list_offerings = providers.Singleton(ListOfferings, catalog)
    get_availability = providers.Singleton(GetAvailability, uow, catalog, clock)
    create_booking = providers.Singleton(
        CreateBookingHandler,
        uow,
        catalog,
        payments,
        clock,
        hold=settings.provided.hold,
        default_provider=payment_mode,
    )
    get_booking = providers.Singleton(GetBooking, uow)
    get_offering = providers.Singleton(GetOffering, catalog)
    list_bookings = providers.Singleton(ListBookings, uow)
    cancel_booking = providers.Singleton(CancelBooking, uow, catalog, clock)
    quote_cancellation = providers.Singleton(QuoteCancellation, uow, catalog, clock)
    reschedule_booking = providers.Singleton(RescheduleBookingHandler, uow, catalog, clock)
    get_day_starts = providers.Singleton(GetDayStarts, catalog, get_availability)
    expire_holds = providers.Singleton(ExpireHolds, uow, clock)
    payment_events = providers.Singleton(PaymentEventHandler, uow, clock)
    trip_status = providers.Singleton(TripStatusReportedHandler, uow, clock)
    mark_ready = providers.Singleton(MarkReady, uow, clock)
    booking_actions = providers.Singleton(staff_booking_actions, uow, catalog, clock, database)
    payment_link_paid = providers.Singleton(PaymentLinkPaidHandler, uow, catalog, clock)
    reconcile_payments = providers.Singleton(
        reconciliation,
        settings,
        stripe_api.provider,
        airwallex_api.provider,
        providers.Singleton(SqlCheckpointStore, database),
        payment_events,
        payment_link_paid,
        clock,
        uow,
    )
    retry_payment = providers.Singleton(
        RetryPayment, uow, catalog, payments, clock, default_provider=payment_mode
    )
    propose_extension = providers.Singleton(ProposeExtensionHandler, uow, clock)
    approve_extension = providers.Singleton(ApproveExtension, uow, extension_charges, clock)
    decline_extension = providers.Singleton(DeclineExtension, uow, clock)
    pay_extension = providers.Singleton(PayExtension, uow, extension_checkout, clock)
    appointment_reported = providers.Singleton(AppointmentReportedHandler, uow, catalog, clock)
    schedule_booking = providers.Singleton(ScheduleBookingHandler, uow, catalog, clock, scheduling)
    schedule_session = providers.Singleton(ScheduleSessionHandler, uow, catalog, clock, scheduling)
    cancel_session = providers.Singleton(CancelSession, uow, catalog, clock)

    # Personal data: export, erasure, and erasure after the retention (the worker's).
    personal_data = providers.Singleton(SqlPersonalDataFactory, database)
    export_customer = providers.Singleton(ExportCustomerData, personal_data)
    erase_customer = providers.Singleton(EraseCustomer, personal_data, clock)
    retention_days = settings.provided.retention_days
    erase_lapsed_customers = providers.Singleton(
        EraseLapsedCustomers, personal_data, erase_customer, clock, retention_days=retention_days
    )

    # The staff console: accounts and sessions (console_wiring.py), the access check of every console route.
    passwords = providers.Singleton(Argon2Passwords)
    staff = providers.Singleton(staff_services, database, passwords, secret_keys, clock)
    console = providers.Singleton(ConsoleAccess, staff.provided.resolve_session, csrf, settings)
    booking_page_parts = (console, get_booking, get_offering, booking_actions, staff, clock)
    console_booking_page = providers.Singleton(Page, *booking_page_parts)  # a booking's page and its forms
    console_views = providers.Singleton(console_views, database, catalog, clock, settings)  # + activity

    # Inbound webhooks: each provider's adapter, and the use case each command goes to.
    webhooks = providers.Singleton(
        WebhookDispatch,
        providers.Dict(
            stripe=stripe_webhook,
            airwallex=airwallex_webhook,
            acuity=acuity_webhook,
            calcom=calcom_webhook,
            driver_app=driver_app_webhook,
        ),
        payment_events=payment_events,
        payment_link_paid=payment_link_paid,
        appointment_reported=appointment_reported,
        trip_status=trip_status,
        metrics=metrics,
        refusals=console_views.provided.activity,
        clock=clock,
    )

    # The outbox: one queue, a sender per topic target, or per topic where a target has several
    # (`stripe.customer_erased` beside the `stripe.refund` of the target's sender).
    outbox_queue = providers.Singleton(SqlOutboxQueue, database)
    senders = providers.Dict(
        {"stripe.customer_erased": stripe_customer_eraser},
        erp=erp_sender,
        email=email_sender,
        sms=sms_sender,
        odoo=odoo_sender,
        driver_app=driver_app_sender,
        stripe=stripe_sender,
        airwallex=airwallex_sender,
        sandbox=providers.Selector(
            payment_mode,
            sandbox=providers.Singleton(SandboxRefunds, uow, payment_events),
            stripe=mock_sender,
            airwallex=mock_sender,
        ),
        calcom=calcom_sender,
        **{"calcom.booking_rescheduled": calcom_reschedule_sender},
        reminders=providers.Singleton(PlanReminders, uow, catalog, clock),
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
    prune_outbox = providers.Singleton(outbox_pruning, outbox_queue, clock, settings, console_views)
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
        retention=erase_lapsed_customers,
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.catalog()  # validate the catalog at start: a broken one stops here, naming file and key
    return container
