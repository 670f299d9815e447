"""Extensions: extra work found during a service, proposed by the business, approved by the customer
and charged off-session to the card saved at the first payment, or paid by the customer on-session
(a checkout) when that charge was refused or instead of approving it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from domain.catalog import Money
from domain.errors import DomainError, IllegalTransition

MIN_AMOUNT_CENTS: Final = 1
MAX_AMOUNT_CENTS: Final = 10_000_000
MAX_DESCRIPTION: Final = 500
MAX_REASON: Final = 200


class ExtensionStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PAID = "paid"
    DECLINED = "declined"
    FAILED = "failed"


_E = ExtensionStatus

EXTENSION_TRANSITIONS: Final[Mapping[ExtensionStatus, frozenset[ExtensionStatus]]] = {
    # Paid straight from proposed: the customer paid it on-session (a checkout) instead of approving.
    _E.PROPOSED: frozenset({_E.APPROVED, _E.DECLINED, _E.PAID}),
    # Paid by its off-session charge, or by a checkout the customer opened before approving.
    _E.APPROVED: frozenset({_E.PAID, _E.FAILED}),
    # A failed charge may be approved again once the customer has done what the reason asks, paid
    # on-session (the customer confirms with their bank at a checkout), or declined.
    _E.FAILED: frozenset({_E.APPROVED, _E.DECLINED, _E.PAID}),
    _E.PAID: frozenset(),
    _E.DECLINED: frozenset(),
}

# An on-session payment may be opened for these: not for one being charged off-session (approved),
# paid already, or declined.
PAYABLE_ON_SESSION: Final = frozenset({_E.PROPOSED, _E.FAILED})


BOOKING_OVER = "booking_over: the booking was cancelled or refunded, so this payment is refunded"


class Received(StrEnum):
    """What a payment that arrived for an extension did."""

    PAID = "paid"  # it paid the extension
    REPEAT = "repeat"  # the payment that paid it, seen again: nothing changes
    RETURNED = "returned"  # a second payment, or one for a declined extension: it goes back


class InvalidExtension(DomainError):
    code = "invalid_extension"


@dataclass(slots=True, eq=False)
class Extension:
    id: UUID
    booking_id: UUID
    description: str
    price: Money
    status: ExtensionStatus
    created_at: datetime
    updated_at: datetime
    failure_reason: str | None = None
    payment_ref: str | None = None
    attempts: int = 0  # charges asked for: a retry after a failure is a new charge
    session_ref: str | None = None  # the last on-session payment opened (a Checkout Session)

    @property
    def charge_key(self) -> str:
        """The idempotency key of the current charge: a repeat of one attempt never charges twice."""
        return f"extension:{self.id}" + (f":{self.attempts}" if self.attempts > 1 else "")

    @property
    def session_key(self) -> str:
        """The idempotency key of the on-session payment for the current attempt: a repeated request
        gets the provider's same session back; after another refused charge a new one is opened."""
        return f"extension:{self.id}:session:{self.attempts}"

    @classmethod
    def propose(
        cls, *, id: UUID, booking_id: UUID, description: str, price: Money, now: datetime
    ) -> Extension:
        description = description.strip()
        if not description or len(description) > MAX_DESCRIPTION:
            raise InvalidExtension(f"a description has 1 to {MAX_DESCRIPTION} characters")
        if not MIN_AMOUNT_CENTS <= price.amount_cents <= MAX_AMOUNT_CENTS:
            raise InvalidExtension(f"an amount is {MIN_AMOUNT_CENTS} to {MAX_AMOUNT_CENTS} cents")
        return cls(id, booking_id, description, price, _E.PROPOSED, now, now)

    def _move_to(self, target: ExtensionStatus, *, now: datetime) -> bool:
        """False when the extension is in `target` already (a repeat changes nothing)."""
        if self.status is target:
            return False
        if target not in EXTENSION_TRANSITIONS[self.status]:
            raise IllegalTransition("extension", self.status, target)
        self.status, self.updated_at = target, now
        return True

    def approve(self, *, now: datetime) -> bool:
        """Approving a paid extension again changes nothing: it never leads to a second charge."""
        if self.status is _E.PAID:
            return False
        moved = self._move_to(_E.APPROVED, now=now)
        if moved:
            self.failure_reason = None
            self.attempts += 1
        return moved

    def decline(self, *, now: datetime) -> bool:
        """A proposed or failed extension is declined; an approved one is being charged and a paid one was
        charged, so neither can be (IllegalTransition). Declining again changes nothing."""
        return self._move_to(_E.DECLINED, now=now)

    def mark_paid(self, *, payment_ref: str | None, now: datetime) -> bool:
        moved = self._move_to(_E.PAID, now=now)
        if moved:
            self.payment_ref, self.failure_reason = payment_ref, None
        return moved

    def check_payable_on_session(self) -> None:
        """Raises IllegalTransition unless the customer may open an on-session payment now."""
        if self.status not in PAYABLE_ON_SESSION:
            raise IllegalTransition("extension", self.status, "paid on-session")

    def record_session(self, reference: str | None, *, attempt: int, now: datetime) -> bool:
        """Keep the on-session payment opened for `attempt`, unless the extension moved on meanwhile.
        The status stays as it is until the provider says the money arrived."""
        if self.attempts != attempt or self.status not in PAYABLE_ON_SESSION or not reference:
            return False
        if self.session_ref == reference:
            return False
        self.session_ref, self.updated_at = reference, now
        return True

    def receive_payment(
        self, *, payment_ref: str | None, now: datetime, booking_over: bool = False
    ) -> Received:
        """A payment of the extension's price arrived: its off-session charge, or the customer's
        on-session payment. The first one pays it; the same payment seen again changes nothing; any
        other payment (both the charge and a checkout went through, or two checkouts) is a second one,
        as is one for a declined extension or for a booking cancelled or refunded since (`booking_over`):
        the caller sends it back. A charge that was in flight then ends `failed`, saying why."""
        if self.status is _E.PAID:
            same = payment_ref is None or self.payment_ref is None or payment_ref == self.payment_ref
            return Received.REPEAT if same else Received.RETURNED
        if self.status is _E.DECLINED:
            return Received.RETURNED
        if booking_over:
            if self.status is _E.APPROVED:
                self.mark_failed(reason=BOOKING_OVER, payment_ref=payment_ref, now=now)
            return Received.RETURNED
        self.mark_paid(payment_ref=payment_ref, now=now)
        return Received.PAID

    def mark_failed(self, *, reason: str, payment_ref: str | None, now: datetime) -> bool:
        moved = self._move_to(_E.FAILED, now=now)
        if moved:
            self.failure_reason = reason[:MAX_REASON]
            self.payment_ref = payment_ref
        return moved
