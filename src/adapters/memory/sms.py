"""An SMS gateway that keeps what it was asked to send."""

from __future__ import annotations

from application.ports import SmsGateway
from domain.notifications import Sms


class FakeSmsGateway:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.sent: list[tuple[Sms, str]] = []

    async def send_sms(self, sms: Sms, *, idempotency_key: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((sms, idempotency_key))


_: SmsGateway = FakeSmsGateway()
