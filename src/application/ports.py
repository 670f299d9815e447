"""The ports the use cases speak to. Adapters implement them; nothing here knows a framework."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, Self
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.availability import Occupancy, OccupiedTimes
from domain.booking import Booking
from domain.catalog import Catalog, Money, Offering, Resource
from domain.customer import Customer
from domain.dispatch import Trip
from domain.extension import Extension
from domain.notifications import Email, Sms
from domain.outbox import OutboxState
from domain.slot import Slot
from domain.statuses import BookingStatus


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class ProviderBooking:
    """A booking made at a scheduling provider for one of ours: its id there and the meeting link."""

    reference: str
    meeting_url: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarBookingRequest:
    booking_id: UUID
    event_type_id: int
    start: datetime  # aware UTC
    attendee_name: str
    attendee_email: str
    time_zone: str  # IANA
    locale: str


class SchedulingGateway(Protocol):
    async def create_booking(self, request: CalendarBookingRequest) -> ProviderBooking | None:
        """The booking made at the provider, or None when it runs as mock (scheduled in the hub only).
        Raises ProviderUnavailable when the provider cannot be reached or refuses."""


class BookingRepository(Protocol):
    async def add(
        self,
        booking: Booking,
        *,
        now: datetime,
        offering: Offering | None = None,
        resources: Sequence[Resource] = (),
        customer: NewCustomer | None = None,
    ) -> None:
        """Insert atomically with the offering's availability rule: a booking with a slot takes the
        first of `resources` (in catalog order) still free, setting `resource_id`, or one of the
        offering's seats; raises SlotUnavailable when none is left. Without an offering or a slot the
        booking goes in as it is. `customer`: found or created with the booking (sets `customer_id`).
        The store picks how: one statement where it can, else it reads what is booked around the slot
        and lets the database arbitrate the insert."""

    async def get(self, booking_id: UUID, *, for_update: bool = False) -> Booking | None: ...

    async def flush(self, booking: Booking, *, now: datetime) -> bool:
        """Write a booking's changes now, where the availability rule can refuse them (a booking taking
        its slot again). False when it did: nothing was written and the repository forgot the booking,
        so `get` reads it afresh; the rest of the unit of work goes on."""

    async def sessions_of(self, package_id: UUID, *, for_update: bool = False) -> list[Booking]:
        """The sessions of a package (bookings naming it), earliest first, whatever their status."""
        ...

    async def set_references(self, booking_id: UUID, references: dict[str, str]) -> None:
        """Store a booking's provider references in one statement (after its payment session exists)."""

    async def set_capacity(self, booking_id: UUID, capacity: int) -> None:
        """The seat count the database checks this booking's slot against (when it gets one later)."""

    async def find_by_reference(self, key: str, value: str) -> Booking | None:
        """The booking a provider's id names (`key` is e.g. `acuity_appointment_id`), locked for update."""

    async def link_reference(self, key: str, value: str, booking_id: UUID) -> bool:
        """Make a provider's id name this booking; False when it already names one (a concurrent
        notification got there first)."""

    async def occupancy(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> list[Occupancy]:
        """Active bookings (unexpired holds included) that can collide with slots inside `window`."""

    async def occupied_times(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> OccupiedTimes:
        """The bookings `occupancy` finds, as integer microseconds: what availability over a long
        window reads, without an object per booking where the store can."""

    async def due_holds(self, *, now: datetime, limit: int) -> list[Booking]: ...

    async def list(
        self,
        *,
        status: BookingStatus | None,
        offering_id: str | None,
        customer_email: str | None,
        limit: int,
        offset: int,
    ) -> list[tuple[Booking, Customer]]: ...


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A customer as a booking names them: found by (normalised) email, else created with `id`."""

    id: UUID
    email: str
    name: str
    phone: str | None
    locale: str


class CustomerRepository(Protocol):
    async def find_or_create(self, customer: NewCustomer) -> Customer:
        """A known customer keeps their details; a phone they never gave is filled in."""

    async def update_or_create(self, customer: NewCustomer, *, update_locale: bool) -> Customer:
        """As a provider reports them: a known customer takes the new name, the phone when one is
        given, and the locale when `update_locale`; `id` is used only when the customer is new."""

    async def get(self, customer_id: UUID) -> Customer | None: ...

    async def set_reference(self, customer_id: UUID, key: str, value: str) -> None:
        """Keep one provider id in the customer's references (the others stay)."""
        ...


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    key_hash: str
    request_hash: str
    booking_id: UUID
    token_cipher: bytes
    response: Mapping[str, Any] | None = None


class IdempotencyStore(Protocol):
    async def get(self, key_hash: str) -> IdempotencyRecord | None: ...

    async def add(self, record: IdempotencyRecord, *, now: datetime) -> bool:
        """False when the key is already taken (by a committed or concurrent request)."""

    async def set_response(self, key_hash: str, response: Mapping[str, Any]) -> None: ...


class InboundEventLog(Protocol):
    async def record(self, provider: str, event_id: str, *, event_type: str, now: datetime) -> bool:
        """True the first time (provider, event_id) is seen; False for a duplicate."""


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """`pending`: due now or retrying; `scheduled`: never tried and due later (reminders), not a backlog."""

    pending: int
    dead: int
    oldest_pending_at: datetime | None = None
    scheduled: int = 0


class OutboxReader(Protocol):
    async def counts(self) -> OutboxCounts: ...

    async def undelivered(
        self, booking_ids: Sequence[UUID], *, targets: Sequence[str]
    ) -> dict[UUID, set[str]]:
        """Per booking, the states (`pending`, `dead`) of its messages to these targets not delivered."""


class ExtensionRepository(Protocol):
    async def add(self, extension: Extension) -> None: ...

    async def get(
        self, extension_id: UUID, *, booking_id: UUID, for_update: bool = False
    ) -> Extension | None:
        """The booking's extension; None for another booking's."""
        ...

    async def save(self, extension: Extension) -> None: ...

    async def of_booking(self, booking_id: UUID) -> list[Extension]:
        """Every extension of the booking, oldest first."""

    async def paid_of(self, booking_id: UUID) -> list[Extension]:
        """The booking's paid extensions, locked for update."""
        ...


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One charge or refund a provider reported (`kind`), by its id there (`provider_ref`)."""

    provider: str
    provider_ref: str
    kind: str
    amount_cents: int
    currency: str
    booking_id: UUID
    extension_id: UUID | None
    payment_ref: str | None
    occurred_at: datetime


class PaymentLedger(Protocol):
    """Reads of the payments ledger; its rows are written by the unit of work's commit (`MoneyMoved`)."""

    async def entry(self, provider: str, provider_ref: str, kind: str) -> LedgerEntry | None:
        """The charge or refund the provider names so (a charge: the booking and extension a refund of
        it belongs to)."""

    async def of_bookings(self, booking_ids: Sequence[UUID]) -> list[LedgerEntry]: ...

    async def moved_between(self, start: datetime, end: datetime) -> list[UUID]:
        """The bookings with money moved in [start, end), oldest movement first."""


class UnitOfWork(Protocol):
    @property
    def bookings(self) -> BookingRepository: ...
    @property
    def payments(self) -> PaymentLedger: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def idempotency(self) -> IdempotencyStore: ...
    @property
    def inbound_events(self) -> InboundEventLog: ...
    @property
    def outbox(self) -> OutboxReader: ...
    @property
    def extensions(self) -> ExtensionRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc_info: object) -> None: ...
    async def get_for_event(
        self, booking_id: UUID, *, provider: str, event_id: str, event_type: str, now: datetime
    ) -> tuple[bool, Booking | None]:
        """Record the inbound event with this unit of work (as `InboundEventLog.record`) and read the
        booking it names under its row lock, in one round trip where the store can: (first time seen,
        the booking or None). An optimistic unit of work reads without the lock and keeps the event:
        `commit` records it, in its one statement that applies only while the event is still unknown."""

    async def commit(self) -> None:
        """Write changed bookings, their audit entries and outbox messages, then commit."""


class UnitOfWorkFactory(Protocol):
    def __call__(
        self, *, read_only: bool = False, single_write: bool = False, optimistic: bool = False
    ) -> UnitOfWork:
        """`read_only`: reads only. `single_write`: the caller makes one write, a repository call atomic by
        itself (e.g. `bookings.add`, `set_references`), so no transaction need be opened around it; a
        store whose write takes several statements opens one for them.
        `optimistic`: for one inbound event and the one booking it names (`get_for_event`, then
        changes to that booking only; other repositories are not for it). Reads take no locks, and
        `commit` writes everything in one statement that applies only if nothing it read has changed
        meanwhile; when something has, or when the unit of work is asked for what it cannot do that way
        (a row lock, a write the availability rule may refuse, a write of several statements), it
        raises `Contended` with nothing written, and the caller runs again in an ordinary unit of work.
        A store may ignore the flag (and lock as usual)."""


class Contended(Exception):
    """An optimistic unit of work could not finish without locks; nothing of it was written."""


class CatalogSource(Protocol):
    @property
    def catalog(self) -> Catalog: ...


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message this worker holds until its lease ends; `attempts` counts this one."""

    id: int
    topic: str
    idempotency_key: str
    booking_id: UUID | None
    payload: Mapping[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class Settlement:
    """What became of a claimed message: delivered, skipped, pending again at `next_attempt_at`, or dead."""

    message: ClaimedMessage
    state: OutboxState
    next_attempt_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    id: int
    topic: str
    booking_id: UUID | None
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


@dataclass(frozen=True, slots=True)
class SinkStatus:
    """How deliveries to one integration went lately: the last success, failures in a row since."""

    integration: str
    last_success_at: datetime | None
    failures_in_a_row: int


class SecretKeySource(Protocol):
    async def secret_key(self) -> bytes:
        """The hub's signing key: the configured one, else the one generated on first start and kept."""


class Sender(Protocol):
    async def send(self, message: ClaimedMessage) -> OutboxState:
        """Deliver with the message's idempotency key: DELIVERED, or SKIPPED when the integration is
        switched off. Raises ProviderUnavailable to try again later, ProviderRejected to give up."""


class MessageFormats(Protocol):
    """Dates and prices written as a customer reads them in their language (`locale`, e.g. `fr`)."""

    def datetime(self, value: datetime, zone: ZoneInfo, locale: str) -> str: ...

    def money(self, price: Money, locale: str) -> str: ...


class EmailGateway(Protocol):
    async def send_email(self, email: Email, *, idempotency_key: str) -> None:
        """Raises ProviderUnavailable to try again later, ProviderRejected to give up."""


class SmsGateway(Protocol):
    async def send_sms(self, sms: Sms, *, idempotency_key: str) -> None:
        """Raises ProviderUnavailable to try again later, ProviderRejected to give up."""


class DispatchGateway(Protocol):
    async def send_trip(self, trip: Trip, *, idempotency_key: str) -> None:
        """Raises ProviderUnavailable to try again later, ProviderRejected to give up."""


class OutboxQueue(Protocol):
    async def claim(self, *, now: datetime, lease: timedelta, limit: int) -> list[ClaimedMessage]:
        """Due pending messages nobody holds, oldest due first; holds them until now + lease and counts
        the attempt. Several workers may claim at once: none gets a message another one holds."""

    async def settle(self, settlements: Sequence[Settlement], *, now: datetime) -> None:
        """Record a batch of results in one transaction. A result for a message that was claimed again
        after this worker's lease ran out, or that was delivered meanwhile, changes nothing."""

    async def troubled(self, *, limit: int) -> list[QueuedMessage]:
        """Dead messages and pending ones that failed at least once, most recent trouble first."""

    async def retry(self, message_id: int, *, now: datetime) -> OutboxState | None:
        """Put a dead message back to pending with its attempts reset. Returns the state it was in
        (DEAD when it was put back), or None when there is no such message."""

    async def prune(self, *, settled_before: datetime, limit: int) -> int:
        """Delete up to `limit` delivered or skipped messages settled before the given time."""

    async def counts(self, *, now: datetime | None = None) -> OutboxCounts:
        """With `now`, messages never tried and due after it are counted apart as `scheduled`."""

    async def sinks(self) -> list[SinkStatus]: ...


@dataclass(frozen=True, slots=True)
class WebhookTally:
    received: int
    failed: int  # refused: a bad signature or a body we could not read


class WebhookStats(Protocol):
    def recent(self) -> WebhookTally:
        """Webhooks this process answered over the last five minutes."""
