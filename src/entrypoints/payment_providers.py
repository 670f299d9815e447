"""Every configured payment provider live at once: the gateways a booking may name as `payment_provider`,
and per provider (the one that took a booking's money) its extension charges and checkouts.

Called by the container with each provider's API as a provider of the container, so a provider that is
not configured is never built."""

from __future__ import annotations

from collections.abc import Callable

from adapters.providers.airwallex.client import AirwallexApi
from adapters.providers.airwallex.gateway import (
    AirwallexExtensionPayment,
    AirwallexPaymentGateway,
    AirwallexPaymentLinkGateway,
)
from adapters.providers.airwallex.reconcile import AirwallexEventSource
from adapters.providers.airwallex.statement import AirwallexStatement
from adapters.providers.mock.gateways import NoOffSessionCharges
from adapters.providers.sandbox.gateway import SandboxCharges, SandboxExtensionCheckout, SandboxPaymentGateway
from adapters.providers.stripe.charges import StripeOffSessionCharges
from adapters.providers.stripe.client import StripeApi
from adapters.providers.stripe.gateway import StripeExtensionCheckout, StripePaymentGateway
from adapters.providers.stripe.reconcile import StripeEventSource
from adapters.providers.stripe.statement import StripeStatement
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.payments.ports import (
    CheckpointStore,
    ExtensionCheckout,
    OffSessionCharges,
    PaymentEventSource,
    PaymentGateway,
    ProviderStatement,
)
from application.payments.reconcile import ReconcilePayments, ReconcileProviders
from application.ports import Clock, UnitOfWorkFactory
from entrypoints.settings import Settings


def payment_gateways(
    settings: Settings, stripe: Callable[[], StripeApi], airwallex: Callable[[], AirwallexApi], clock: Clock
) -> dict[str, PaymentGateway]:
    """By the `payment_provider` a booking may name: `stripe` (a Checkout Session), `stripe_payment_intent`,
    `airwallex` (a payment link), `airwallex_payment_intent`; `sandbox` only when none is configured."""
    live = settings.payment_providers
    gateways: dict[str, PaymentGateway] = {}
    if "stripe" in live:
        url = settings.return_url
        gateways["stripe"] = StripePaymentGateway(stripe(), clock, return_url=url)
        gateways["stripe_payment_intent"] = StripePaymentGateway(
            stripe(), clock, return_url=url, payment_intent=True
        )
    if "airwallex" in live:
        gateways["airwallex"] = AirwallexPaymentLinkGateway(airwallex())
        gateways["airwallex_payment_intent"] = AirwallexPaymentGateway(airwallex())
    if live == ("sandbox",):
        gateways["sandbox"] = SandboxPaymentGateway(settings.public_url)
    return gateways


def extension_charges(settings: Settings, stripe: Callable[[], StripeApi]) -> dict[str, OffSessionCharges]:
    """Off-session charges by the provider that took the booking's payment."""
    live = settings.payment_providers
    charges: dict[str, OffSessionCharges] = {}
    if "stripe" in live:
        charges["stripe"] = StripeOffSessionCharges(stripe())
    if "airwallex" in live:
        charges["airwallex"] = NoOffSessionCharges()
    if live == ("sandbox",):
        charges["sandbox"] = SandboxCharges()
    return charges


def extension_checkouts(
    settings: Settings, stripe: Callable[[], StripeApi], airwallex: Callable[[], AirwallexApi]
) -> dict[str, ExtensionCheckout]:
    """On-session payments of extensions by the provider that took the booking's payment."""
    live = settings.payment_providers
    checkouts: dict[str, ExtensionCheckout] = {}
    if "stripe" in live:
        checkouts["stripe"] = StripeExtensionCheckout(stripe(), return_url=settings.return_url)
    if "airwallex" in live:
        checkouts["airwallex"] = AirwallexExtensionPayment(airwallex())
    if live == ("sandbox",):
        checkouts["sandbox"] = SandboxExtensionCheckout()
    return checkouts


def reconciliation(
    settings: Settings,
    stripe: Callable[[], StripeApi],
    airwallex: Callable[[], AirwallexApi],
    checkpoints: CheckpointStore,
    payment_events: PaymentEventHandler,
    payment_link_paid: PaymentLinkPaidHandler,
    clock: Clock,
    uow: UnitOfWorkFactory,
) -> ReconcileProviders | None:
    """Stripe's events list and Airwallex's PaymentIntents and refunds, for each that is configured."""
    sources: list[PaymentEventSource] = []
    if "stripe" in settings.payment_providers:
        sources.append(StripeEventSource(stripe()))
    if "airwallex" in settings.payment_providers:
        sources.append(AirwallexEventSource(airwallex()))
    each = [
        ReconcilePayments(source, checkpoints, payment_events, payment_link_paid, clock, uow)
        for source in sources
    ]
    return ReconcileProviders(each) if each else None


def statements(
    settings: Settings, stripe: Callable[[], StripeApi], airwallex: Callable[[], AirwallexApi]
) -> list[ProviderStatement]:
    """What the money report reads each configured provider's figures from (its list APIs)."""
    found: list[ProviderStatement] = []
    if "stripe" in settings.payment_providers:
        found.append(StripeStatement(stripe()))
    if "airwallex" in settings.payment_providers:
        found.append(AirwallexStatement(airwallex()))
    return found
