"""A package's session credits: how many its payment bought, how many sessions hold one, and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import NoSessionsLeft, OutsideValidity


@dataclass(slots=True)
class SessionCredits:
    """`used` counts the sessions holding a credit: scheduled, held, or cancelled too late to give it back.
    It never goes below 0 nor above `total` (the database checks that too)."""

    total: int
    valid_days: int | None = None  # None: the sessions may start at any time
    used: int = 0
    valid_until: datetime | None = None  # set when the package is paid (or booked, when free)

    @property
    def left(self) -> int:
        return self.total - self.used

    def start(self, now: datetime) -> None:
        """The validity runs from now (the payment); a second payment changes nothing."""
        if self.valid_until is None and self.valid_days is not None:
            self.valid_until = now + timedelta(days=self.valid_days)

    def covers(self, start: datetime) -> bool:
        return self.valid_until is None or start < self.valid_until

    def lapsed(self, now: datetime) -> bool:
        return self.valid_until is not None and now >= self.valid_until

    def take(self, start: datetime) -> None:
        """One credit for a session starting at `start`."""
        if self.used >= self.total:
            raise NoSessionsLeft(f"all {self.total} sessions of this package are taken")
        if not self.covers(start):
            assert self.valid_until is not None  # noqa: S101 - covers() says so
            raise OutsideValidity(f"the package's sessions start before {self.valid_until.isoformat()}")
        self.used += 1

    def give_back(self) -> None:
        """A session cancelled in time returns its credit."""
        if self.used > 0:
            self.used -= 1
