"""The customer pages as one router: HTML error pages, templates with gettext, the static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from entrypoints.web.bookings import (
    answer_extension,
    booking_page,
    open_manage_link,
    pay,
    schedule,
    schedule_page,
)
from entrypoints.web.catalog import book, catalog_page, day_page, details_page
from entrypoints.web.changes import cancel, cancel_page, move, move_confirm_page, move_page
from entrypoints.web.i18n import load_all
from entrypoints.web.pages import WEB_EXCEPTION_HANDLERS
from entrypoints.web.sandbox import checkout_page, checkout_submit

HERE = Path(__file__).parent
PAGES: list[Any] = [
    catalog_page,
    day_page,
    details_page,
    book,
    open_manage_link,
    booking_page,
    pay,
    schedule_page,
    schedule,
    answer_extension,
    move_page,
    move_confirm_page,
    move,
    cancel_page,
    cancel,
]
SANDBOX: list[Any] = [checkout_page, checkout_submit]


def web_router(*, sandbox: bool) -> Router:
    """The pages (and the sandbox checkout while payments run in the sandbox), out of the OpenAPI
    document: they answer HTML, and their errors are pages too."""
    return Router(
        path="/",
        route_handlers=[*PAGES, *(SANDBOX if sandbox else [])],
        exception_handlers=WEB_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


def static_router() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[HERE / "static"],
        cache_control=CacheControlHeader(max_age=3600, public=True),
        include_in_schema=False,
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    load_all()  # a broken catalog stops the start, not a request
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))
