"""A slot: the half-open interval a booking holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Slot:
    """A half-open interval [start, end) in aware UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a slot needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("a slot ends after it starts")

    def overlaps(self, other: Slot) -> bool:
        return self.start < other.end and other.start < self.end
