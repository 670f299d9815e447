"""Sync queue: dead and retrying outbox messages by integration, with their last error; `Retry` puts one
dead message back in the queue, `Retry all` every dead message of one integration (CSRF-checked forms,
run as the signed-in member; each logged with the member's id and the message's, nothing personal)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.errors import NotDead, NotFound
from application.outbox.sync_queue import ListSyncQueue, RetryOutboxMessage
from application.outbox_routes import integration_of
from application.ports import QueuedMessage
from domain.outbox import OutboxState
from entrypoints.console_views_wiring import ConsoleViews
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import ConsoleAccess, as_staff
from entrypoints.web.pages import AnyRequest

HERE = "/console/sync-queue"
DONE = frozenset({"retried", "gone", "retried_all", "none"})
log = logging.getLogger("bookhub.console")


@get(HERE)
async def sync_queue_page(
    request: AnyRequest, console: Inject[ConsoleAccess], list_sync_queue: Inject[ListSyncQueue]
) -> Template:
    member = await console.member(request)
    done = request.query_params.get("done")
    count = request.query_params.get("n", "")
    return await console.render(
        request,
        member,
        "console/sync_queue.html",
        groups=by_integration(await list_sync_queue()),
        done=done if done in DONE else None,
        count=int(count) if count.isdigit() else 0,
        dead=OutboxState.DEAD,
    )


def by_integration(messages: Sequence[QueuedMessage]) -> list[tuple[str, list[QueuedMessage], int]]:
    """(integration, its messages as listed, how many are dead), integrations by name."""
    groups: dict[str, list[QueuedMessage]] = {}
    for message in messages:
        groups.setdefault(integration_of(message.topic), []).append(message)
    return [
        (name, found, sum(m.state is OutboxState.DEAD for m in found))
        for name, found in sorted(groups.items())
    ]


@post(f"{HERE}/{{message_id:int}}/retry", status_code=303)
async def retry_message(
    request: AnyRequest,
    message_id: FromPath[int],
    console: Inject[ConsoleAccess],
    retry_outbox_message: Inject[RetryOutboxMessage],
) -> Redirect:
    member = await console.member(request)
    form = await console.form(request)
    done = "retried"
    with as_staff(member):
        try:
            await retry_outbox_message(message_id)
        except (NotDead, NotFound):  # retried or delivered meanwhile (another tab, another member)
            done = "gone"
    log.info("console: staff %s retried outbox message %s: %s", member.id, message_id, done)
    return console.back(HERE, console.language(request, form), done=done)


@post(f"{HERE}/integrations/{{integration:str}}/retry", status_code=303)
async def retry_integration(
    request: AnyRequest,
    integration: FromPath[str],
    console: Inject[ConsoleAccess],
    console_views: Inject[ConsoleViews],
) -> Redirect:
    member = await console.member(request)
    form = await console.form(request)
    with as_staff(member):
        retried = await console_views.retry_integration(integration)
    log.info("console: staff %s retried %s dead messages of %s", member.id, retried, integration)
    query: dict[str, Any] = {"done": "retried_all", "n": retried} if retried else {"done": "none"}
    return console.back(HERE, console.language(request, form), **query)
