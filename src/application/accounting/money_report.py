"""The money report: per booking and per extension, what the payment provider holds, what the hub's
payments ledger holds, and what accounting holds, side by side; `ok`, `pending` (a delivery is still in
the outbox) or `mismatch` with a note.

A period selects the bookings whose money moved in it (by the ledger); each selected booking is reported
whole. The provider's figures come from its list APIs where it is configured (a statement), else from
the ledger. Provider and ledger agree when they hold the same charges and the same refunds; ledger and
accounting agree when what was kept (charged less refunded) is what was invoiced less credited (a second
payment refunded without an invoice keeps nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.accounting.ports import CREDIT, AccountingDocument, AccountingGateway
from application.payments.ports import ProviderMovement, ProviderStatement
from application.ports import LedgerEntry, UnitOfWorkFactory
from domain.events import CHARGE

OK, PENDING, MISMATCH = "ok", "pending", "mismatch"
# Outbox targets whose undelivered messages make a disagreement `pending`: accounting and refunds.
SETTLING = ("odoo", "stripe", "airwallex", "sandbox")
_LOOK_BACK = timedelta(days=1)  # providers are read from a day before the selected bookings' first movement

Key = tuple[UUID, UUID | None]


@dataclass(slots=True)
class MoneyRow:
    booking_id: UUID
    extension_id: UUID | None
    currency: str = ""
    provider_charged_cents: int = 0
    provider_refunded_cents: int = 0
    ledger_charged_cents: int = 0
    ledger_refunded_cents: int = 0
    invoiced_cents: int = 0
    credited_cents: int = 0
    status: str = OK
    note: str = ""


@dataclass(frozen=True, slots=True)
class MoneyReport:
    items: list[MoneyRow] = field(default_factory=list)

    @property
    def mismatches(self) -> int:
        return sum(row.status == MISMATCH for row in self.items)


class MakeMoneyReport:
    def __init__(
        self, uow: UnitOfWorkFactory, accounting: AccountingGateway, statements: Sequence[ProviderStatement]
    ) -> None:
        self._uow, self._accounting = uow, accounting
        self._statements = {statement.provider: statement for statement in statements}

    async def __call__(self, start: datetime, end: datetime) -> MoneyReport:
        async with self._uow(read_only=True) as uow:
            bookings = await uow.payments.moved_between(start, end)
            entries = await uow.payments.of_bookings(bookings)
            waiting = await uow.outbox.undelivered(bookings, targets=SETTLING)
        rows: dict[Key, MoneyRow] = {}
        for entry in entries:
            _add(rows, (entry.booking_id, entry.extension_id), entry.kind, entry.amount_cents, entry.currency)
        for movement in await self._movements(entries, set(bookings)):
            _add_provider(rows, movement)
        for booking in bookings:
            for document in await self._accounting.documents(booking):
                _add_document(rows, document)
        for row in rows.values():
            _judge(row, waiting.get(row.booking_id, set()))
        return MoneyReport(
            sorted(rows.values(), key=lambda r: (bookings.index(r.booking_id), str(r.extension_id)))
        )

    async def _movements(self, entries: Sequence[LedgerEntry], bookings: set[UUID]) -> list[ProviderMovement]:
        """What each provider holds for these bookings: from its statement, else the ledger's own rows."""
        charges = {(e.provider, e.provider_ref): e for e in entries if e.kind == CHARGE}
        since = min((e.occurred_at for e in entries), default=None)
        found: dict[tuple[str, str, str], ProviderMovement] = {}
        for provider, statement in self._statements.items():
            if since is None or not any(e.provider == provider for e in entries):
                continue
            for movement in await statement.movements(since - _LOOK_BACK):
                placed = _place(movement, charges)
                if placed.booking_id in bookings:
                    found[(placed.provider, placed.provider_ref, placed.kind)] = placed
        for entry in entries:
            if entry.provider not in self._statements:  # the sandbox, or a provider configured no more
                found[(entry.provider, entry.provider_ref, entry.kind)] = _as_movement(entry)
        return list(found.values())


def _place(movement: ProviderMovement, charges: dict[tuple[str, str], LedgerEntry]) -> ProviderMovement:
    """A provider's movement under the booking and extension the ledger's charge of its payment names."""
    charge = charges.get((movement.provider, movement.payment_ref or movement.provider_ref))
    if charge is None:
        return movement
    return ProviderMovement(
        movement.kind,
        movement.provider,
        movement.provider_ref,
        movement.payment_ref,
        movement.amount_cents,
        movement.currency,
        charge.booking_id,
        charge.extension_id,
    )


def _as_movement(entry: LedgerEntry) -> ProviderMovement:
    return ProviderMovement(
        entry.kind,
        entry.provider,
        entry.provider_ref,
        entry.payment_ref,
        entry.amount_cents,
        entry.currency,
        entry.booking_id,
        entry.extension_id,
    )


def _row(rows: dict[Key, MoneyRow], key: Key, currency: str = "") -> MoneyRow:
    row = rows.setdefault(key, MoneyRow(*key))
    row.currency = row.currency or currency.upper()
    return row


def _add(rows: dict[Key, MoneyRow], key: Key, kind: str, cents: int, currency: str) -> None:
    row = _row(rows, key, currency)
    if kind == CHARGE:
        row.ledger_charged_cents += cents
    else:
        row.ledger_refunded_cents += cents


def _add_provider(rows: dict[Key, MoneyRow], movement: ProviderMovement) -> None:
    if movement.booking_id is None:
        return
    row = _row(rows, (movement.booking_id, movement.extension_id), movement.currency)
    if movement.kind == CHARGE:
        row.provider_charged_cents += movement.amount_cents
    else:
        row.provider_refunded_cents += movement.amount_cents


def _add_document(rows: dict[Key, MoneyRow], document: AccountingDocument) -> None:
    if not document.posted:
        return
    row = _row(rows, (document.booking_id, document.extension_id))
    if document.kind == CREDIT:
        row.credited_cents += document.amount_cents
    else:
        row.invoiced_cents += document.amount_cents


def _judge(row: MoneyRow, waiting: Iterable[str]) -> None:
    notes = []
    provider = (row.provider_charged_cents, row.provider_refunded_cents)
    ledger = (row.ledger_charged_cents, row.ledger_refunded_cents)
    if provider != ledger:
        notes.append(f"the provider holds {_money(*provider)}, the ledger {_money(*ledger)}")
    kept = row.ledger_charged_cents - row.ledger_refunded_cents
    if kept != row.invoiced_cents - row.credited_cents:
        if row.invoiced_cents == 0 and kept > 0:
            notes.append(f"accounting has no invoice of {kept} cents")
        else:
            invoiced = f"invoiced {row.invoiced_cents} less credited {row.credited_cents}"
            notes.append(f"accounting holds {invoiced}, the ledger kept {kept}")
    states = set(waiting)
    if notes and "pending" in states:
        row.status, row.note = PENDING, "; ".join(["a delivery is still in the outbox", *notes])
    elif notes:
        dead = " (a delivery is dead in the sync queue)" if "dead" in states else ""
        row.status, row.note = MISMATCH, "; ".join(notes) + dead


def _money(charged: int, refunded: int) -> str:
    return f"charged {charged} refunded {refunded}"
