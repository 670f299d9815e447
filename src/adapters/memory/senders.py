"""A sender that records what it was given and fails as a test scripts it."""

from __future__ import annotations

import asyncio

from application.ports import ClaimedMessage, Sender
from domain.outbox import OutboxState


class FakeSender:
    def __init__(self, *failures: Exception | None, result: OutboxState = OutboxState.DELIVERED) -> None:
        self.failures = list(failures)  # raised one per call, in order; then it succeeds
        self.result = result
        self.sent: list[ClaimedMessage] = []
        self.calls = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.delay = 0.0

    async def send(self, message: ClaimedMessage) -> OutboxState:
        self.calls += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            failure = self.failures.pop(0) if self.failures else None
            if failure is not None:
                raise failure
            self.sent.append(message)
            return self.result
        finally:
            self.in_flight -= 1


_: Sender = FakeSender()
