"""An in-memory unit of work with the same rules as the SQL one, including the availability invariants."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from adapters.memory.audit import AuditEntry, InboundRecord, audit_entries, linked
from adapters.memory.ledger import MemoryLedger
from adapters.memory.outbox_counts import MemoryOutboxCounts
from application.audit.ports import current_actor
from application.outbox_routes import outbox_messages_for
from application.ports import IdempotencyRecord, LedgerEntry, NewCustomer, UnitOfWork
from domain.availability import Occupancy, OccupiedTimes, free_resources
from domain.booking import Booking
from domain.catalog import Offering, Resource
from domain.customer import Customer
from domain.errors import NoSessionsLeft, SlotUnavailable
from domain.extension import Extension, ExtensionStatus
from domain.outbox import OutboxMessage
from domain.slot import Slot
from domain.statuses import HOLDING_STATUSES, BookingStatus


@dataclass(slots=True)
class MemoryState:
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    capacities: dict[UUID, int | None] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    idempotency: dict[str, IdempotencyRecord] = field(default_factory=dict)
    inbound: set[tuple[str, str]] = field(default_factory=set)
    inbound_log: list[InboundRecord] = field(default_factory=list)
    references: dict[tuple[str, str], UUID] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    extensions: dict[UUID, Extension] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    commits: int = 0


class _Bookings:
    def __init__(self, state: MemoryState) -> None:
        self._s = state
        self.staged: dict[UUID, Booking] = {}
        self.capacities: dict[UUID, int | None] = {}

    def _all(self) -> list[Booking]:
        return [*({**self._s.bookings, **self.staged}).values()]

    async def add(
        self,
        booking: Booking,
        *,
        now: datetime,
        offering: Offering | None = None,
        resources: Sequence[Resource] = (),
        customer: NewCustomer | None = None,
    ) -> None:
        slot, block = booking.slot, booking.block
        if customer is not None:
            booking.customer_id = _find_or_create(self._s, customer).id
        capacity = None
        if slot is not None and block is not None and offering is not None:
            if offering.resource_type is not None:
                self._take_a_free_resource(booking, offering, slot, block, resources, now)
            else:
                capacity = offering.capacity
                self._take_a_seat(booking, slot, capacity, now)
        self.staged[booking.id] = booking
        self.capacities[booking.id] = capacity

    def _take_a_free_resource(
        self,
        booking: Booking,
        offering: Offering,
        slot: Slot,
        block: Slot,
        resources: Sequence[Resource],
        now: datetime,
    ) -> None:
        """As the SQL store's careful path: the domain chooses from what is booked around the slot, then
        the first candidate still free when it is written is taken."""
        occupied = self._occupancy(offering, [r.id for r in resources], block, now)
        candidates = free_resources(offering, slot, resources, occupied)
        if not candidates:
            raise SlotUnavailable("no resource is free for that slot")
        for resource_id in candidates:
            taken = any(
                b.resource_id == resource_id and b.holds_slot(now) and b.block and b.block.overlaps(block)
                for b in self._all()
            )
            if not taken:
                booking.resource_id = resource_id
                return
        raise SlotUnavailable("that slot was just taken")

    def _take_a_seat(self, booking: Booking, slot: Slot, capacity: int, now: datetime) -> None:
        taken = sum(
            1
            for b in self._all()
            if b.offering_id == booking.offering_id and b.holds_slot(now) and b.slot and b.slot.overlaps(slot)
        )
        if taken >= capacity:
            raise SlotUnavailable("that slot is full")

    async def get(self, booking_id: UUID, *, for_update: bool = False) -> Booking | None:
        if booking_id in self.staged:
            return self.staged[booking_id]
        stored = self._s.bookings.get(booking_id)
        if stored is None:
            return None
        self.staged[booking_id] = copy.deepcopy(stored)
        return self.staged[booking_id]

    async def flush(self, booking: Booking, *, now: datetime) -> bool:
        """By the database's rule: a booking moving into a holding status must find its slot free of
        every other booking in a holding status (an expired hold not yet swept too)."""
        before = self._s.bookings.get(booking.id)
        moved_in = before is None or before.status not in HOLDING_STATUSES
        if moved_in and booking.status in HOLDING_STATUSES and self._blocked(booking):
            del self.staged[booking.id]
            return False
        return True

    def _blocked(self, booking: Booking) -> bool:
        block, slot = booking.block, booking.slot
        if block is None or slot is None:
            return False
        others = [b for b in self._all() if b.id != booking.id and b.status in HOLDING_STATUSES]
        if booking.resource_id is not None:
            resource = booking.resource_id
            return any(b.resource_id == resource and b.block and b.block.overlaps(block) for b in others)
        capacity = self.capacities.get(booking.id, self._s.capacities.get(booking.id))
        if capacity is None:
            return False
        offering = booking.offering_id
        same = [b for b in others if b.offering_id == offering and b.slot and b.slot.overlaps(slot)]
        return len(same) >= capacity

    async def sessions_of(self, package_id: UUID, *, for_update: bool = False) -> list[Booking]:
        found = [b.id for b in self._all() if b.package_id == package_id]
        sessions = [b for i in found if (b := await self.get(i)) is not None]
        return sorted(sessions, key=lambda b: (b.slot.start if b.slot else b.created_at, str(b.id)))

    async def set_references(self, booking_id: UUID, references: dict[str, str]) -> None:
        booking = await self.get(booking_id)
        if booking is not None:
            booking.references = dict(references)

    async def set_capacity(self, booking_id: UUID, capacity: int) -> None:
        self.capacities[booking_id] = capacity

    async def find_by_reference(self, key: str, value: str) -> Booking | None:
        booking_id = self._s.references.get((key, value))
        return await self.get(booking_id) if booking_id is not None else None

    async def link_reference(self, key: str, value: str, booking_id: UUID) -> bool:
        if (key, value) in self._s.references:
            return False
        self._s.references[(key, value)] = booking_id
        return True

    async def occupancy(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> list[Occupancy]:
        return self._occupancy(offering, resource_ids, window, now)

    def _occupancy(
        self, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> list[Occupancy]:
        result = []
        for b in self._s.bookings.values():
            if b.slot is None or b.block is None or not b.holds_slot(now):
                continue
            if (
                offering.resource_type is not None
                and b.resource_id in resource_ids
                and b.block.overlaps(window)
            ) or (
                offering.resource_type is None and b.offering_id == offering.id and b.slot.overlaps(window)
            ):
                result.append(Occupancy(b.slot, b.block, b.resource_id))
        return result

    async def occupied_times(
        self, *, offering: Offering, resource_ids: Sequence[str], window: Slot, now: datetime
    ) -> OccupiedTimes:
        occupied = await self.occupancy(offering=offering, resource_ids=resource_ids, window=window, now=now)
        return OccupiedTimes.of(occupied)

    async def due_holds(self, *, now: datetime, limit: int) -> list[Booking]:
        due = [
            b.id
            for b in self._s.bookings.values()
            if b.status is BookingStatus.PENDING_PAYMENT and b.hold_expires_at and b.hold_expires_at <= now
        ]
        return [b for i in due[:limit] if (b := await self.get(i)) is not None]

    async def list(
        self,
        *,
        status: BookingStatus | None,
        offering_id: str | None,
        customer_email: str | None,
        limit: int,
        offset: int,
    ) -> list[tuple[Booking, Customer]]:
        by_id = {c.id: c for c in self._s.customers.values()}
        rows = [
            (b, by_id[b.customer_id])
            for b in sorted(self._s.bookings.values(), key=lambda b: b.created_at, reverse=True)
            if (status is None or b.status is status)
            and (offering_id is None or b.offering_id == offering_id)
            and (customer_email is None or by_id[b.customer_id].email == customer_email)
        ]
        return rows[offset : offset + limit]


def _find_or_create(state: MemoryState, new: NewCustomer) -> Customer:
    customer = state.customers.get(new.email)
    if customer is None:
        customer = state.customers[new.email] = Customer(new.id, new.email, new.name, new.phone, new.locale)
    elif customer.phone is None:
        customer.phone = new.phone
    return customer


class _Customers:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def find_or_create(self, customer: NewCustomer) -> Customer:
        return _find_or_create(self._s, customer)

    async def update_or_create(self, customer: NewCustomer, *, update_locale: bool) -> Customer:
        known = _find_or_create(self._s, customer)
        known.name, known.phone = customer.name, customer.phone or known.phone
        if update_locale:
            known.locale = customer.locale
        return known

    async def get(self, customer_id: UUID) -> Customer | None:
        return next((c for c in self._s.customers.values() if c.id == customer_id), None)

    async def set_reference(self, customer_id: UUID, key: str, value: str) -> None:
        customer = await self.get(customer_id)
        if customer is not None:
            customer.references[key] = value


class _Extensions:
    """Writes are staged until the unit of work commits."""

    def __init__(self, state: MemoryState) -> None:
        self._s = state
        self.staged: dict[UUID, Extension] = {}

    async def add(self, extension: Extension) -> None:
        self.staged[extension.id] = copy.deepcopy(extension)

    async def get(
        self, extension_id: UUID, *, booking_id: UUID, for_update: bool = False
    ) -> Extension | None:
        found = self.staged.get(extension_id) or self._s.extensions.get(extension_id)
        return copy.deepcopy(found) if found is not None and found.booking_id == booking_id else None

    async def save(self, extension: Extension) -> None:
        self.staged[extension.id] = copy.deepcopy(extension)

    async def of_booking(self, booking_id: UUID) -> list[Extension]:
        every = {**self._s.extensions, **self.staged}.values()
        mine = [e for e in every if e.booking_id == booking_id]
        return [copy.deepcopy(e) for e in sorted(mine, key=lambda e: e.created_at)]

    async def paid_of(self, booking_id: UUID) -> list[Extension]:
        every = {**self._s.extensions, **self.staged}.values()
        paid = [e for e in every if e.booking_id == booking_id and e.status is ExtensionStatus.PAID]
        return [copy.deepcopy(e) for e in sorted(paid, key=lambda e: e.created_at)]


class _Idempotency:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def get(self, key_hash: str) -> IdempotencyRecord | None:
        return self._s.idempotency.get(key_hash)

    async def add(self, record: IdempotencyRecord, *, now: datetime) -> bool:
        if record.key_hash in self._s.idempotency:
            return False
        self._s.idempotency[record.key_hash] = record
        return True

    async def set_response(self, key_hash: str, response: Any) -> None:
        record = self._s.idempotency[key_hash]
        self._s.idempotency[key_hash] = IdempotencyRecord(
            record.key_hash, record.request_hash, record.booking_id, record.token_cipher, response
        )


class _Inbound:
    def __init__(self, state: MemoryState) -> None:
        self._s = state
        self.recorded: list[InboundRecord] = []  # logged at commit, linked to the one booking it applied to

    async def record(self, provider: str, event_id: str, *, event_type: str, now: datetime) -> bool:
        if (provider, event_id) in self._s.inbound:
            return False
        self._s.inbound.add((provider, event_id))
        self.recorded.append(InboundRecord(provider, event_id, event_type, now))
        return True


class FakeUnitOfWork:
    """Changes stay staged until commit, like a transaction; commit also writes audit and outbox."""

    def __init__(self, state: MemoryState | None = None) -> None:
        self.state = state if state is not None else MemoryState()

    async def __aenter__(self) -> Self:
        s = self.state
        self._saved = copy.deepcopy((s.customers, s.idempotency, s.inbound, s.references))
        self._committed = False
        self.bookings = _Bookings(self.state)
        self.customers = _Customers(self.state)
        self.idempotency = _Idempotency(self.state)
        self.inbound_events = _Inbound(self.state)
        self.outbox = MemoryOutboxCounts(self.state.outbox)
        self.extensions = _Extensions(self.state)
        self.payments = MemoryLedger(self.state.ledger)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.bookings.staged.clear()
        if not self._committed:  # roll back what the repositories wrote straight away
            s = self.state
            s.customers, s.idempotency, s.inbound, s.references = self._saved

    async def get_for_event(
        self, booking_id: UUID, *, provider: str, event_id: str, event_type: str, now: datetime
    ) -> tuple[bool, Booking | None]:
        if (provider, event_id) in self.state.inbound:
            return False, None
        self.state.inbound.add((provider, event_id))
        self.inbound_events.recorded.append(InboundRecord(provider, event_id, event_type, now, booking_id))
        return True, await self.bookings.get(booking_id, for_update=True)

    async def commit(self) -> None:
        for booking in self.bookings.staged.values():  # as the database's check (ADR 0018)
            if booking.credits is not None and not 0 <= booking.credits.used <= booking.credits.total:
                raise NoSessionsLeft("a package holds no more sessions than it bought")
        self.state.inbound_log += linked(self.inbound_events.recorded, [*self.bookings.staged])
        for booking in self.bookings.staged.values():
            for event in booking.events:
                self.payments.write(event)
                self.state.audit.extend(audit_entries([event], actor=current_actor()))
                keys = {m.idempotency_key for m in self.state.outbox}
                self.state.outbox.extend(
                    m for m in outbox_messages_for(event) if m.idempotency_key not in keys
                )
            booking.events.clear()
            self.state.bookings[booking.id] = copy.deepcopy(booking)
        self.bookings.staged.clear()
        self.state.extensions.update(self.extensions.staged)
        self.extensions.staged.clear()
        self.state.commits += 1
        self._committed = True


class FakeUnitOfWorkFactory:
    def __init__(self, state: MemoryState | None = None) -> None:
        self.state = state if state is not None else MemoryState()

    def __call__(
        self, *, read_only: bool = False, single_write: bool = False, optimistic: bool = False
    ) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.state)


_: UnitOfWork = FakeUnitOfWork()
