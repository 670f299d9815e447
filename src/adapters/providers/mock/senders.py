"""Outbox senders for integrations that are not configured (mock) or switched off (disabled)."""

from __future__ import annotations

import logging

from application.ports import ClaimedMessage
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.mock")


class LoggingMockSender:
    """Succeeds at once so the queue drains; logs the topic and booking id, never the payload."""

    async def send(self, message: ClaimedMessage) -> OutboxState:
        log.info("mock delivery of %s for booking %s", message.topic, message.booking_id)
        return OutboxState.DELIVERED


class SkippingSender:
    """For an integration switched off by configuration: the message is settled as skipped, not sent."""

    def __init__(self, integration: str) -> None:
        self._integration = integration

    async def send(self, message: ClaimedMessage) -> OutboxState:
        log.debug(
            "%s is disabled: skipped %s for booking %s", self._integration, message.topic, message.booking_id
        )
        return OutboxState.SKIPPED
