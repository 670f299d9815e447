"""Extensions: extra work found during a service, proposed by the business, approved by the customer
and charged off-session to the card saved at the first payment."""

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
    _E.PROPOSED: frozenset({_E.APPROVED, _E.DECLINED}),
    _E.APPROVED: frozenset({_E.PAID, _E.FAILED}),
    # A failed charge may be approved again once the customer has done what the reason asks, or declined.
    _E.FAILED: frozenset({_E.APPROVED, _E.DECLINED}),
    _E.PAID: frozenset(),
    _E.DECLINED: frozenset(),
}


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

    @property
    def charge_key(self) -> str:
        """The idempotency key of the current charge: a repeat of one attempt never charges twice."""
        return f"extension:{self.id}" + (f":{self.attempts}" if self.attempts > 1 else "")

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

    def mark_failed(self, *, reason: str, payment_ref: str | None, now: datetime) -> bool:
        moved = self._move_to(_E.FAILED, now=now)
        if moved:
            self.failure_reason = reason[:MAX_REASON]
            self.payment_ref = payment_ref
        return moved
