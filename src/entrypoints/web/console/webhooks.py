"""Webhooks: the events the providers sent (provider, type, outcome, time), newest first, filtered by
provider, a page at a time; never their bodies (the hub does not keep them)."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from application.console.integrations import WEBHOOK_PROVIDERS
from entrypoints.console_views_wiring import ConsoleViews
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import ConsoleAccess
from entrypoints.web.console.views_common import moment, page_number
from entrypoints.web.pages import AnyRequest


@get("/console/webhooks")
async def webhooks_page(
    request: AnyRequest, console: Inject[ConsoleAccess], console_views: Inject[ConsoleViews]
) -> Template:
    member = await console.member(request)
    provider = request.query_params.get("provider") or None
    page = await console_views.webhooks(provider, page_number(request))
    return await console.render(
        request,
        member,
        "console/webhooks.html",
        page=page,
        provider=provider,
        providers=WEBHOOK_PROVIDERS,
        zone=console_views.today.zone,
        when=moment(console.language(request).code, console_views.today.zone, seconds=True),
        query={"provider": provider} if provider else {},
    )
