"""The staff console's overview queries and the activity counts they chart, wired in one block (the
container keeps one line for them)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.persistence.activity import SqlIntegrationActivity
from adapters.persistence.console_queries import SqlConsoleReadModel, SqlDeadLetters
from adapters.persistence.database import Database
from adapters.persistence.outbox_queue import SqlOutboxQueue
from application.console.integrations import GetIntegrations
from application.console.search import SearchBookings
from application.console.sync_queue import RetryIntegration
from application.console.today import TodaySchedule
from application.console.webhooks import ListWebhookEvents
from application.outbox.prune import PruneSettledMessages
from application.ports import CatalogSource, Clock, OutboxQueue
from entrypoints.settings import Settings


@dataclass(frozen=True, slots=True)
class ConsoleViews:
    today: TodaySchedule
    search: SearchBookings
    integrations: GetIntegrations
    webhooks: ListWebhookEvents
    retry_integration: RetryIntegration
    activity: SqlIntegrationActivity  # counts refused webhooks; pruned by the worker


def console_views(
    database: Database, catalog: CatalogSource, clock: Clock, settings: Settings
) -> ConsoleViews:
    read, queue = SqlConsoleReadModel(database), SqlOutboxQueue(database)
    return ConsoleViews(
        today=TodaySchedule(read, catalog, clock),
        search=SearchBookings(read, catalog),
        integrations=GetIntegrations(read, queue, clock, integrations=settings.integrations),
        webhooks=ListWebhookEvents(read),
        retry_integration=RetryIntegration(SqlDeadLetters(database), clock),
        activity=SqlIntegrationActivity(database),
    )


def outbox_pruning(
    queue: OutboxQueue, clock: Clock, settings: Settings, views: ConsoleViews
) -> PruneSettledMessages:
    """The worker's prune: settled messages, and the activity counts the console charts."""
    return PruneSettledMessages(
        queue, clock, retention_days=settings.outbox_retention_days, activity=views.activity
    )
