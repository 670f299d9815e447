"""What accounting (Odoo) is told: the customer, a paid booking or extension, each refund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final
from uuid import UUID

from domain.catalog import Money
from domain.dispatch import Address

# ISO 4217 minor units where they are not 2 (the rest of the world's currencies use cents).
_EXPONENT: Final = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF"), 0),
    **dict.fromkeys(("UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def major_units(money: Money) -> Decimal:
    """8500 EUR cents is 85.00; 8500 JPY is 8500; 8500 KWD fils is 8.500."""
    return Decimal(money.amount_cents).scaleb(-_EXPONENT.get(money.currency, 2))


def minor_units(amount: Decimal, currency: str) -> int:
    """85.00 EUR is 8500 cents; the inverse of `major_units`."""
    return int(amount.scaleb(_EXPONENT.get(currency, 2)).to_integral_value())


@dataclass(frozen=True, slots=True)
class Partner:
    """The customer as accounting knows them: found by email (or by `ref`, its id there once known),
    named on the invoice, with a phone and, for a booking that sends a driver, the pickup address."""

    name: str
    email: str
    phone: str | None = None
    address: Address | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Invoice:
    """A posted invoice of one line with its payment: a booking's (its `reference` the booking id), or a
    paid extension's supplementary invoice (`<booking id>:extension:<extension id>`). Accounting finds
    it again by that reference."""

    booking_id: UUID
    partner: Partner
    amount: Money
    label: str
    on: date
    reference: str = ""
    extension_id: UUID | None = None

    @property
    def ref(self) -> str:
        return self.reference or str(self.booking_id)


@dataclass(frozen=True, slots=True)
class CreditNote:
    """A refund as accounting records it: a credit note of the refunded amount against the invoice it
    gives back money of (`invoice_ref`), found again by `reference` (`<booking id>:refund:<provider>:<refund
    id>`)."""

    booking_id: UUID
    partner: Partner
    amount: Money
    label: str
    on: date
    reference: str
    invoice_ref: str
    extension_id: UUID | None = None


def extension_reference(booking_id: UUID, extension_id: UUID) -> str:
    return f"{booking_id}:extension:{extension_id}"


def refund_reference(booking_id: UUID, provider: str, refund_ref: str) -> str:
    return f"{booking_id}:refund:{provider}:{refund_ref}"
