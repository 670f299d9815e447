"""Outbox messages: side effects written with the state change and delivered after commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

MAX_ERROR_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    topic: str
    idempotency_key: str
    booking_id: UUID | None
    payload: dict[str, Any] = field(default_factory=dict)
    available_at: datetime | None = None


class OutboxState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    SKIPPED = "skipped"  # settled without a call: its integration is switched off
    DEAD = "dead"


def target_of(topic: str) -> str:
    return topic.partition(".")[0]


def truncate_error(text: str) -> str:
    """One line of at most MAX_ERROR_CHARS; callers pass ids and statuses, never personal data."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, and how many attempts each topic gets before it is dead."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8
    max_attempts_by_target: Mapping[str, int] = field(default_factory=lambda: {"odoo": 3})

    def attempts_for(self, topic: str) -> int:
        return self.max_attempts_by_target.get(target_of(topic), self.max_attempts)

    def next_attempt(
        self, topic: str, attempts: int, *, now: datetime, random: Callable[[], float]
    ) -> datetime | None:
        """When to try again after `attempts` failed attempts, or None: the message is dead."""
        if attempts >= self.attempts_for(topic):
            return None
        return now + backoff(attempts, base=self.base, cap=self.cap, random=random)


def backoff(attempts: int, *, base: timedelta, cap: timedelta, random: Callable[[], float]) -> timedelta:
    """The wait after the `attempts`-th failure: base, 2·base, 4·base, … up to cap, then drawn from its
    upper half ("equal jitter"), so workers that failed together do not retry together."""
    if attempts < 1:
        raise ValueError("backoff follows a failed attempt")
    exponent = min(attempts - 1, 62)  # 2**62 seconds is past any cap; keeps the float finite
    nominal = min(cap.total_seconds(), base.total_seconds() * 2.0**exponent)
    return timedelta(seconds=nominal / 2 + nominal / 2 * random())
