"""The ports of payments: the providers that take money, list their events, and keep our place in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.payments.commands import PaymentEvent, PaymentLinkPaid, PaymentSession
from domain.booking import Booking
from domain.catalog import Offering
from domain.extension import Extension


class PaymentGateway(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def customer_key(self) -> str | None:
        """Where a customer keeps its id at this provider (`stripe_customer`); None if it keeps none."""
        ...

    async def create_session(
        self,
        booking: Booking,
        offering: Offering,
        *,
        idempotency_key: str,
        customer_ref: str | None = None,
    ) -> PaymentSession: ...


@dataclass(frozen=True, slots=True)
class SavedCard:
    """Where a booking's first payment saved the card: the provider's customer and payment method."""

    customer_ref: str | None
    payment_method: str | None


@dataclass(frozen=True, slots=True)
class ChargeResult:
    paid: bool
    payment_ref: str | None = None
    reason: str | None = None  # what the customer must do when not paid; no card data


class OffSessionCharges(Protocol):
    @property
    def customer_key(self) -> str | None: ...

    @property
    def provider(self) -> str: ...

    async def charge(self, extension: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
        """One confirmed off-session charge of the extension's price; a repeated key charges once."""
        ...


class ExtensionCheckout(Protocol):
    """On-session payments of extensions: the customer pays at the provider's page (after a refused
    off-session charge, or instead of approving one)."""

    @property
    def customer_key(self) -> str | None: ...

    @property
    def provider(self) -> str: ...

    async def open(
        self, extension: Extension, booking: Booking, *, idempotency_key: str, customer_ref: str | None
    ) -> PaymentSession | ChargeResult:
        """A payment of the extension's price the customer completes (a session, never confirmed
        here), or a payment taken at once (sandbox). A repeated key opens nothing more. Raises
        ProviderUnavailable when the provider cannot be reached."""
        ...


@dataclass(frozen=True, slots=True)
class ListedEvent:
    """An event as a provider lists it: when it was created, and our command for it."""

    created: datetime
    command: PaymentEvent | PaymentLinkPaid


class PaymentEventSource(Protocol):
    @property
    def provider(self) -> str: ...

    async def events_since(self, since: datetime) -> list[ListedEvent]:
        """The payment events the provider created since then, of the types we handle. Raises
        ProviderUnavailable when it cannot be reached."""


@dataclass(frozen=True, slots=True)
class ProviderMovement:
    """A charge or refund as the provider lists it. `booking_id` (and `extension_id`) as its metadata
    names them, if it does; the ledger's charge of `payment_ref` places it otherwise."""

    kind: str  # `charge` or `refund`
    provider: str
    provider_ref: str
    payment_ref: str | None
    amount_cents: int
    currency: str
    booking_id: UUID | None = None
    extension_id: UUID | None = None


class ProviderStatement(Protocol):
    @property
    def provider(self) -> str: ...

    async def movements(self, since: datetime) -> list[ProviderMovement]:
        """The succeeded charges and the refunds the provider created since then, read from its list
        APIs. Raises ProviderUnavailable when it cannot be reached."""


class CheckpointStore(Protocol):
    async def get(self, provider: str) -> datetime | None: ...

    async def set(self, provider: str, last_event_at: datetime) -> None: ...
