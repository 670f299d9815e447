"""An email gateway that keeps what it was asked to send."""

from __future__ import annotations

from application.ports import EmailGateway
from domain.notifications import Email


class FakeEmailGateway:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.sent: list[tuple[Email, str]] = []

    async def send_email(self, email: Email, *, idempotency_key: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((email, idempotency_key))


_: EmailGateway = FakeEmailGateway()
