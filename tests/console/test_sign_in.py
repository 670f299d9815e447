"""Signing in and out of the console, its sessions, and what opens nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dependency_injector import providers

from adapters.memory.clock import FixedClock
from application.audit.ports import current_actor
from entrypoints.web.console.access import SESSION_COOKIE, as_staff
from tests.console.support import (
    OWNER_EMAIL,
    PASSWORD,
    add_staff,
    cheap_passwords,
    console_app,
    csrf_of,
    post_form,
    sign_in,
)
from tests.support.app import ADMIN_KEY, running_app
from tests.web.support import text_of

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _nav(html: str) -> list[str]:
    nav = re.search(r'<ul class="console-nav">(.*?)</ul>', html, re.S)
    return re.findall(r">([^<>]+)</a>", nav.group(1)) if nav else []


async def test_an_owner_signs_in_and_lands_on_today_with_every_link_and_sign_out(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, _member):
        home = await client.get("/console")
        page = await client.get("/console/today")
    assert (home.status_code, home.headers["location"]) == (303, "/console/today")
    assert page.status_code == 200
    assert "<h1>Today</h1>" in page.text
    assert _nav(page.text) == [
        "Today",
        "Bookings",
        "Sync queue",
        "Integrations",
        "Webhooks",
        "Customers",
        "Staff",
    ]
    assert OWNER_EMAIL in text_of(page.text)
    assert "Sign out" in text_of(page.text)


async def test_a_staff_member_sees_no_owner_links(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff") as (client, _, _member):
        page = await client.get("/console/today")
    assert _nav(page.text) == ["Today", "Bookings", "Sync queue", "Integrations", "Webhooks"]


async def test_the_session_cookie_is_httponly_samesite_and_for_the_console_only(sqlite_url: str) -> None:
    async with running_app(sqlite_url) as (client, container):
        container.passwords.override(providers.Object(cheap_passwords()))
        await add_staff(container)
        signed = await sign_in(client, OWNER_EMAIL)
    cookie = next(v for k, v in signed.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v)
    assert signed.headers["location"] == "/console/today"
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # http: public URL


async def test_the_cookie_is_secure_when_the_public_url_is_https(sqlite_url: str) -> None:
    async with running_app(sqlite_url, public_url="https://book.example") as (_, container):
        cookie = container.console().session_cookie("a session id")
    assert (cookie.secure, cookie.httponly, cookie.samesite, cookie.path) == (True, True, "lax", "/console")


async def test_without_a_session_pages_go_to_the_sign_in_page_and_the_admin_key_opens_nothing(
    sqlite_url: str,
) -> None:
    async with running_app(sqlite_url) as (client, _):
        anonymous = await client.get("/console/today")
        with_key = await client.get("/console/today", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        login = await client.get("/console/login")
        posted = await client.post(
            "/console/logout",
            data={"csrf_token": csrf_of(login.text)},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/console/login")
    assert (with_key.status_code, with_key.headers["location"]) == (303, "/console/login")
    assert login.status_code == 200
    assert 'name="email"' in login.text
    assert 'name="password"' in login.text
    assert posted.status_code == 303  # signing out without a session just lands on the sign-in page


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(sqlite_url: str) -> None:
    async with running_app(sqlite_url) as (client, container):
        container.passwords.override(providers.Object(cheap_passwords()))
        await add_staff(container)
        wrong = await sign_in(client, OWNER_EMAIL, "not the password at all")
        unknown = await sign_in(client, "nobody@example.com", "not the password at all")
        still_out = await client.get("/console/today")
    assert wrong.status_code == unknown.status_code == 401
    assert text_of(wrong.text).replace(OWNER_EMAIL, "") == text_of(unknown.text).replace(
        "nobody@example.com", ""
    )
    assert "The email or the password is wrong." in text_of(wrong.text)
    assert still_out.status_code == 303


async def test_five_failures_lock_that_email_for_fifteen_minutes_and_no_other(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    async with running_app(sqlite_url, clock=clock) as (client, container):
        container.passwords.override(providers.Object(cheap_passwords()))
        await add_staff(container)
        await add_staff(container, "other@example.com", "staff")
        for _ in range(5):
            assert (await sign_in(client, OWNER_EMAIL.upper(), "wrong password, again")).status_code == 401
        locked = await sign_in(client, OWNER_EMAIL)
        other = await sign_in(client, "other@example.com")
        clock.advance(timedelta(minutes=15, seconds=1))
        later = await sign_in(client, OWNER_EMAIL)
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this email" in text_of(locked.text)
    assert SESSION_COOKIE not in locked.headers.get("set-cookie", "")
    assert other.status_code == 303
    assert later.status_code == 303


async def test_an_unknown_email_is_locked_the_same_way(sqlite_url: str) -> None:
    async with running_app(sqlite_url) as (client, container):
        container.passwords.override(providers.Object(cheap_passwords()))
        answers = [
            (await sign_in(client, "ghost@example.com", "whatever it is")).status_code for _ in range(6)
        ]
    assert answers == [401] * 5 + [429]


async def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, _member):
        login = await client.post("/console/login", data={"email": OWNER_EMAIL, "password": PASSWORD})
        logout = await client.post("/console/logout", data={"csrf_token": "forged"})
        still_in = await client.get("/console/today")
    assert login.status_code == logout.status_code == 403
    assert "the form was refused" in text_of(logout.text)
    assert still_in.status_code == 200


async def test_sign_out_ends_the_session_for_good(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, _member):
        session = client.cookies.get(SESSION_COOKIE)
        out = await post_form(client, "/console/logout")
        after = await client.get("/console/today")
        client.cookies.set(SESSION_COOKIE, session or "", domain="bookhub.test", path="/console")
        replayed = await client.get("/console/today")
    assert (out.status_code, out.headers["location"]) == (303, "/console/login?notice=signed_out")
    assert after.status_code == replayed.status_code == 303


async def test_a_session_ends_after_twelve_hours_idle_and_lives_while_used(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    async with console_app(sqlite_url, clock=clock) as (client, _, _member):
        for _ in range(3):
            clock.advance(timedelta(hours=11))
            assert (await client.get("/console/today")).status_code == 200
        clock.advance(timedelta(hours=12, seconds=1))
        idle = await client.get("/console/today")
    assert idle.status_code == 303


async def test_a_disabled_account_loses_its_sessions_at_once(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff") as (client, container, member):
        assert (await client.get("/console/today")).status_code == 200
        await container.staff().disable(member.email)
        after = await client.get("/console/today")
        again = await sign_in(client, member.email)
    assert after.status_code == 303
    assert again.status_code == 401


async def test_use_cases_run_as_the_staff_member_inside_as_staff(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (_client, _, member):
        with as_staff(member):
            actor = current_actor()
    assert actor == f"staff:{member.id}"
    assert current_actor() == "system"


async def test_the_sign_in_page_and_today_are_in_the_asked_language(sqlite_url: str) -> None:
    async with console_app(sqlite_url) as (client, _, _member):
        page = await client.get("/console/today", params={"lang": "fr"})
    assert '<html lang="fr">' in page.text
    assert "Aujourd" in text_of(page.text)
