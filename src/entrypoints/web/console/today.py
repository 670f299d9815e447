"""Today: the business day's bookings by resource. A placeholder until the page itself lands: this module
and `console/today.html` are replaced whole (the route keeps its name, `today_page`)."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from entrypoints.http.deps import Inject
from entrypoints.web.console.access import HOME, ConsoleAccess
from entrypoints.web.pages import AnyRequest


@get(HOME)
async def today_page(request: AnyRequest, console: Inject[ConsoleAccess]) -> Template:
    member = await console.member(request)
    return await console.render(request, member, "console/today.html")
