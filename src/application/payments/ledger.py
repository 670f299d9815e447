"""The payments ledger's rows, as facts the booking records: the unit of work writes them in the
transaction (on PostgreSQL's optimistic path, the one statement) that applies the provider's event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from application.ports import LedgerEntry
from domain.booking import Booking
from domain.events import CHARGE, REFUND, MoneyMoved


def record_charge(
    booking: Booking,
    *,
    provider: str,
    payment_ref: str,
    amount_cents: int,
    currency: str,
    now: datetime,
    extension_id: UUID | None = None,
) -> None:
    """Money the provider took for the booking (or one of its extensions), named by its payment id."""
    if amount_cents > 0:
        booking.events.append(
            MoneyMoved(
                booking.id,
                now,
                provider,
                payment_ref,
                CHARGE,
                amount_cents,
                currency.upper(),
                extension_id,
                payment_ref,
            )
        )


def record_refund(
    booking: Booking,
    *,
    provider: str,
    refund_ref: str,
    payment_ref: str | None,
    amount_cents: int,
    currency: str,
    now: datetime,
    extension_id: UUID | None = None,
    invoiced: bool = True,
) -> None:
    """Money the provider gave back, named by its refund id; `payment_ref` the payment it gives back,
    `invoiced` whether that payment is the one accounting invoiced (a second payment is not)."""
    if amount_cents > 0:
        booking.events.append(
            MoneyMoved(
                booking.id,
                now,
                provider,
                refund_ref,
                REFUND,
                amount_cents,
                currency.upper(),
                extension_id,
                payment_ref,
                invoiced,
            )
        )


def refunded_cents(
    entries: Sequence[LedgerEntry], *, payment_ref: str | None, besides: str | None = None
) -> int:
    """What the ledger holds as refunded of one payment (without its id: of the booking's own payments),
    leaving out the refund named `besides`."""
    return sum(
        e.amount_cents
        for e in entries
        if e.kind == REFUND
        and (e.payment_ref == payment_ref if payment_ref else e.extension_id is None)
        and e.provider_ref != besides
    )
