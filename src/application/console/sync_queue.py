"""The console's `Sync queue`: `Retry all` puts every dead message of one integration back in the queue."""

from __future__ import annotations

import re

from application.console.ports import DeadLetters
from application.errors import InvalidRequest
from application.ports import Clock

# An integration as `integration_of` names a topic's (`erp`, `resend`, `driver_app`, `sandbox`, ...).
_NAME = re.compile(r"[a-z][a-z_]{0,31}")


class RetryIntegration:
    def __init__(self, dead_letters: DeadLetters, clock: Clock) -> None:
        self._dead, self._clock = dead_letters, clock

    async def __call__(self, integration: str) -> int:
        """How many dead messages went back to pending; 0 when there were none."""
        if not _NAME.fullmatch(integration):
            raise InvalidRequest("unknown integration", {"integration": "not an integration's name"})
        return await self._dead.retry_dead(integration, now=self._clock.now())
