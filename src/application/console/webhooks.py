"""The console's `Webhooks`: events the providers sent, newest first, without their bodies."""

from __future__ import annotations

from application.console.commands import Page, WebhookEvent
from application.console.integrations import WEBHOOK_PROVIDERS
from application.console.ports import ConsoleReadModel
from application.console.search import MAX_PAGE
from application.errors import InvalidRequest

PER_PAGE = 50


class ListWebhookEvents:
    def __init__(self, read_model: ConsoleReadModel) -> None:
        self._read = read_model

    async def __call__(
        self, provider: str | None = None, page: int = 1, per_page: int = PER_PAGE
    ) -> Page[WebhookEvent]:
        if provider is not None and provider not in WEBHOOK_PROVIDERS:
            raise InvalidRequest("unknown provider", {"provider": f"one of {', '.join(WEBHOOK_PROVIDERS)}"})
        if not 1 <= page <= MAX_PAGE:
            raise InvalidRequest("page out of range", {"page": f"from 1 to {MAX_PAGE}"})
        offset = (page - 1) * per_page
        rows = await self._read.webhook_events(provider, offset=offset, limit=per_page + 1)
        return Page(rows[:per_page], page, per_page, has_next=len(rows) > per_page)
