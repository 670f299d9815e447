"""Integrations: each integration's mode, last sync and failures in a row; the last 24 hours of
deliveries and failures as a chart (chart.py) with the same numbers in a table; webhook error rates."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from entrypoints.console_views_wiring import ConsoleViews
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import ConsoleAccess
from entrypoints.web.console.chart import ChartWords, delivery_chart, hour_label
from entrypoints.web.console.views_common import moment, number, rate
from entrypoints.web.pages import AnyRequest


@get("/console/integrations")
async def integrations_page(
    request: AnyRequest, console: Inject[ConsoleAccess], console_views: Inject[ConsoleViews]
) -> Template:
    member = await console.member(request)
    lang = console.language(request)
    report = await console_views.integrations()
    return await console.render(
        request,
        member,
        "console/integrations.html",
        lang=lang,
        report=report,
        zone=console_views.today.zone,
        draw=delivery_chart,
        words=ChartWords,
        hour_label=hour_label,
        number=number(lang.code),
        when=moment(lang.code, console_views.today.zone),
        rate=lambda value: rate(lang.code, value),
    )
