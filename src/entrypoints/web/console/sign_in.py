"""Signing in to the console (`Email`, `Password`, `Sign in`) and out (`Sign out`, a POST from every
page), setting a password through a one-time link; `/console` itself leads to Today."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.staff.accounts import InvalidPasswordLink
from application.staff.commands import SignIn, SignInOutcome
from domain.staff import MIN_PASSWORD_LENGTH, WeakPassword
from entrypoints.console_wiring import StaffServices
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import HOME, LOGIN, SESSION_COOKIE, ConsoleAccess
from entrypoints.web.pages import AnyRequest, Lang

# What a refused sign-in answers: the form again, saying why, with this status.
REFUSED = {SignInOutcome.REFUSED: ("refused", 401), SignInOutcome.LOCKED: ("locked", 429)}


@get("/console")
async def console_home(request: AnyRequest, console: Inject[ConsoleAccess]) -> Redirect:
    return console.back(HOME, console.language(request))


@get(LOGIN)
async def login_page(request: AnyRequest, console: Inject[ConsoleAccess]) -> Response[Any] | Template:
    lang = console.language(request)
    if await console.signed_in(request) is not None:
        return console.back(HOME, lang)
    notice = request.query_params.get("notice")
    return await console.render(request, None, "console/login.html", lang=lang, problem=None, notice=notice)


@post(LOGIN, status_code=200)
async def sign_in(
    request: AnyRequest, console: Inject[ConsoleAccess], staff: Inject[StaffServices]
) -> Response[Any] | Template:
    """A new session (a new id each time) on success; the same answer for an unknown email and a wrong
    password; five failures for one email within 15 minutes refuse it for the rest of the window."""
    form = await console.form(request)
    lang = console.language(request, form)
    email, password = form.get("email"), form.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        return await _again(request, console, lang, email, "refused", 401)
    result = await staff.sign_in(SignIn(email, password))
    if result.outcome is SignInOutcome.SIGNED_IN and result.session_id is not None:
        redirect = console.back(HOME, lang)
        redirect.cookies.append(console.session_cookie(result.session_id))
        return redirect
    problem, status = REFUSED[result.outcome]
    return await _again(request, console, lang, email, problem, status)


async def _again(
    request: AnyRequest, console: ConsoleAccess, lang: Any, email: object, problem: str, status: int
) -> Template:
    shown = email if isinstance(email, str) and len(email) <= 255 else ""
    return await console.render(
        request,
        None,
        "console/login.html",
        lang=lang,
        status=status,
        problem=problem,
        notice=None,
        email=shown,
    )


@post("/console/logout", status_code=200)
async def sign_out(
    request: AnyRequest, console: Inject[ConsoleAccess], staff: Inject[StaffServices]
) -> Response[Any]:
    """Ends the session (its row is deleted) and clears the cookie; a form without its token changes
    nothing (403)."""
    form = await console.form(request)
    await staff.sign_out(request.cookies.get(SESSION_COOKIE))
    redirect = console.back(LOGIN, console.language(request, form), notice="signed_out")
    redirect.cookies.append(console.ended_cookie())
    return redirect


@get("/console/password/{token:str}")
async def password_page(
    request: AnyRequest, token: FromPath[str], console: Inject[ConsoleAccess], staff: Inject[StaffServices]
) -> Template:
    """The one-time link's form (`Password`, `Repeat password`, `Set password`); a used, expired or
    unknown link is a 404 page saying so. The access log writes the path without its token."""
    usable = len(token) <= 200 and await staff.set_password.check(token)
    lang = console.language(request)
    return await _password(request, console, lang, token, usable=usable, status=200 if usable else 404)


@post("/console/password/{token:str}", status_code=200)
async def set_password(
    request: AnyRequest, token: FromPath[str], console: Inject[ConsoleAccess], staff: Inject[StaffServices]
) -> Response[Any] | Template:
    """Sets the password (at least 12 characters, typed twice) and spends the link; then sign in."""
    form = await console.form(request)
    lang = console.language(request, form)
    password, repeated = form.get("password"), form.get("repeat")
    if not isinstance(password, str) or password != repeated:
        return await _password(request, console, lang, token, problem="different", status=422)
    try:
        await staff.set_password(token[:200], password)
    except WeakPassword:
        return await _password(request, console, lang, token, problem="weak", status=422)
    except InvalidPasswordLink:
        return await _password(request, console, lang, token, usable=False, status=404)
    return console.back(LOGIN, lang, notice="password_set")


async def _password(
    request: AnyRequest,
    console: ConsoleAccess,
    lang: Lang,
    token: str,
    *,
    usable: bool = True,
    problem: str | None = None,
    status: int = 200,
) -> Template:
    return await console.render(
        request,
        None,
        "console/password.html",
        lang=lang,
        status=status,
        token=token,
        usable=usable,
        problem=problem,
        min_length=MIN_PASSWORD_LENGTH,
    )
