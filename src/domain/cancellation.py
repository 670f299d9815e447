"""What a cancellation gives back, by the offering's policy: a pure function of what was paid and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.catalog import CancellationPolicy


@dataclass(frozen=True, slots=True)
class RefundQuote:
    """The refund a cancellation at `at` gives: `refund_cents` of `paid_cents`; `free` when in full by
    the policy's free period (a booking without a time, or one cancelled before its deadline)."""

    refund_cents: int
    paid_cents: int
    free: bool
    free_until: datetime | None


def refund_for(
    policy: CancellationPolicy, *, paid_cents: int, start: datetime | None, at: datetime
) -> RefundQuote:
    """All of it until the free deadline (and for a booking with no time yet), then the late percent,
    rounded down to the cent: never negative, never more than was paid."""
    paid = max(paid_cents, 0)
    if start is None:
        return RefundQuote(paid, paid, True, None)
    deadline = policy.free_until(start)
    if at <= deadline:
        return RefundQuote(paid, paid, True, deadline)
    return RefundQuote(paid * policy.late_refund_percent // 100, paid, False, deadline)
