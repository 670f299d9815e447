"""The port of accounting: what the hub tells it, and what the money report reads back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.accounting import CreditNote, Invoice, Partner

INVOICE = "invoice"
CREDIT = "credit"


@dataclass(frozen=True, slots=True)
class AccountingDocument:
    """An invoice or a credit note as accounting holds it, for the booking (or one of its extensions)."""

    kind: str  # INVOICE or CREDIT
    booking_id: UUID
    extension_id: UUID | None
    reference: str
    amount_cents: int
    posted: bool


class AccountingGateway(Protocol):
    async def partner(self, partner: Partner) -> str:
        """The customer found by its kept id or its email, else created (name, email, phone, address); a
        phone or address it lacks is filled in. Returns its id at the accounting system. Safe to repeat."""

    async def invoice_paid(self, invoice: Invoice) -> str:
        """Partner, posted invoice and its payment, each found before it is created (the invoice by its
        reference); returns the invoice's id at the accounting system. Safe to repeat."""

    async def credit(self, note: CreditNote) -> str:
        """A posted credit note of the refunded amount against the invoice `note.invoice_ref`, found
        before it is created; returns its id. Raises ProviderUnavailable while that invoice is not there
        yet."""

    async def documents(self, booking_id: UUID) -> list[AccountingDocument]:
        """The booking's invoices and credit notes (its extensions' too), as accounting holds them now.
        Raises ProviderUnavailable when it cannot be read."""
