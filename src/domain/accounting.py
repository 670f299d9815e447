"""What accounting (Odoo) is told about a paid or refunded booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final
from uuid import UUID

from domain.catalog import Money

# ISO 4217 minor units where they are not 2 (the rest of the world's currencies use cents).
_EXPONENT: Final = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF"), 0),
    **dict.fromkeys(("UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def major_units(money: Money) -> Decimal:
    """8500 EUR cents is 85.00; 8500 JPY is 8500; 8500 KWD fils is 8.500."""
    return Decimal(money.amount_cents).scaleb(-_EXPONENT.get(money.currency, 2))


@dataclass(frozen=True, slots=True)
class Partner:
    """The customer as accounting knows them: found by email, named on the invoice."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Invoice:
    """One booking's invoice (or, refunded, its credit note): one line, the booking's price."""

    booking_id: UUID
    partner: Partner
    amount: Money
    label: str
    on: date
