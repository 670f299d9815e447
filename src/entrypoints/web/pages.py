"""Rendering a page: its language, the words and formats of that language, links that keep a chosen
language, the CSRF token of its forms, and the error pages (404, 403, …) in the same look."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.response import Template

from domain.errors import DomainError
from entrypoints.http.errors import STATUS_OF_CODE
from entrypoints.logs import describe_exception
from entrypoints.settings import LANGUAGES, Settings
from entrypoints.web.i18n import Formats, negotiate, translations
from entrypoints.web.security import CSRF_COOKIE, CSRF_FIELD, Csrf

NAMES = {"en": "English", "fr": "Français", "es": "Español", "pt": "Português", "de": "Deutsch"}
AnyRequest = Request[Any, Any, Any]
log = logging.getLogger("bookhub.web")


@dataclass(frozen=True, slots=True)
class Lang:
    """The page's language; `explicit` when `?lang=` chose it, so the pages' links keep it."""

    code: str
    explicit: bool = False

    def link(self, path: str, **query: object) -> str:
        params = {k: str(v) for k, v in query.items() if v is not None}
        if self.explicit:
            params["lang"] = self.code
        return f"{path}?{urlencode(params)}" if params else path


def language(request: AnyRequest, settings: Settings, customer_locale: str | None = None) -> Lang:
    asked = request.query_params.get("lang")
    code = negotiate(
        asked, customer_locale, request.headers.get("accept-language"), settings.default_language
    )
    return Lang(code, explicit=asked is not None and code == asked.strip().lower())


def form_language(form: dict[str, Any], request: AnyRequest, settings: Settings) -> Lang:
    """A form carries the language it was shown in (hidden `lang`), else the request's. The pages after
    it are in the booking's language (its customer's locale) without saying so in their links."""
    asked = form.get("lang")
    if isinstance(asked, str) and asked in LANGUAGES:
        return Lang(asked)
    return language(request, settings)


def render(
    request: AnyRequest,
    name: str,
    lang: Lang,
    *,
    status: int = 200,
    cookies: list[Cookie] | None = None,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> Template:
    texts = translations(lang.code)
    context = {
        "lang": lang.code,
        "link": lang.link,
        "fmt": Formats(lang.code),
        "gettext": texts.gettext,
        "ngettext": texts.ngettext,
        "languages": _switcher(request, lang),
        **values,
    }
    return Template(name, context=context, status_code=status, cookies=cookies, headers=headers)


def _switcher(request: AnyRequest, lang: Lang) -> list[tuple[str, str, str, bool]]:
    """(code, name, href, current) for each language: the same page in that language."""
    query = {k: v for k, v in request.query_params.items() if k in {"date"}}
    # The same page, except after a form (a POST) and on a manage link's path, which is a secret.
    path = (
        request.url.path if request.method == "GET" and not request.url.path.startswith("/manage/") else "/"
    )
    return [
        (code, NAMES[code], f"{path}?{urlencode({**query, 'lang': code})}", code == lang.code)
        for code in LANGUAGES
    ]


async def csrf_token(request: AnyRequest, csrf: Csrf) -> tuple[str, list[Cookie]]:
    """The token for this browser's forms, and the cookie to set when it had none yet."""
    value = request.cookies.get(CSRF_COOKIE)
    if value:
        return await csrf.token(value), []
    value = csrf.new_cookie_value()
    return await csrf.token(value), [csrf.cookie(value)]


async def checked_form(request: AnyRequest, csrf: Csrf) -> dict[str, Any] | None:
    """The posted form, or None when its CSRF token is missing or wrong (the caller answers 403)."""
    form = dict(await request.form())
    if not await csrf.valid(request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)):
        return None
    return form


class CsrfRefused(Exception):
    """A posted form without a valid CSRF token: a 403 page, nothing changed."""


async def posted_form(request: AnyRequest, csrf: Csrf, settings: Settings) -> tuple[dict[str, Any], Lang]:
    """The posted form and the language it was shown in; raises CsrfRefused (a 403 page) when its CSRF
    token is missing or wrong."""
    form = await checked_form(request, csrf)
    if form is None:
        raise CsrfRefused
    return form, form_language(form, request, settings)


def error_page(request: AnyRequest, lang: Lang, status: int) -> Template:
    return render(request, "error.html", lang, status=status, status_code=status)


def _lang_of(request: AnyRequest) -> Lang:
    settings: Settings = request.app.state["settings"]
    return language(request, settings)


def web_csrf_refused(request: AnyRequest, _: CsrfRefused) -> Template:
    return error_page(request, _lang_of(request), 403)


def web_domain_error(request: AnyRequest, exc: DomainError) -> Template:
    return error_page(request, _lang_of(request), STATUS_OF_CODE.get(exc.code, 409))


def web_http_error(request: AnyRequest, exc: HTTPException) -> Template:
    status = exc.status_code if exc.status_code in (400, 403, 404, 405, 413) else 400
    return error_page(request, _lang_of(request), status)


def web_server_error(request: AnyRequest, exc: Exception) -> Template:
    # The route's name, never its path: a path can carry a manage link's secret.
    where = request.route_handler.handler_name
    log.error("unhandled error in %s %s\n%s", request.method, where, describe_exception(exc))
    return error_page(request, _lang_of(request), 500)


WEB_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    CsrfRefused: web_csrf_refused,
    DomainError: web_domain_error,
    HTTPException: web_http_error,
    Exception: web_server_error,
}
