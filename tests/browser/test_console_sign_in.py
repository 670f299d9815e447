"""The console in Chromium against a real `bookhub serve`, with accounts made by `bookhub staff add`:
signing in and out, what the session cookie is, and what opens nothing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import ADMIN_KEY, Server
from tests.browser.console_support import console_owner, console_staff, fill_sign_in, sign_in
from tests.browser.walk import check

__all__ = ["console_owner", "console_staff"]  # fixtures used below


def test_an_owner_signs_in_sees_every_link_and_signs_out(
    browser: Any, server: Server, console_owner: tuple[str, str]
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.url}/console/today")
    page.wait_for_url("**/console/login")
    check(page, "console-login")
    sign_in(page, server, *console_owner)
    check(page, "console-today")
    assert page.get_by_role("heading", level=1).inner_text() == "Today"
    nav = page.get_by_role("navigation", name="Console")
    for name in ("Today", "Bookings", "Sync queue", "Integrations", "Webhooks", "Customers", "Staff"):
        assert nav.get_by_role("link", name=name, exact=True).count() == 1, name
    assert console_owner[0] in page.locator("header").inner_text()

    cookie = next(c for c in context.cookies() if c["name"] == "bookhub_console")
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/console")

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/console/login*")
    assert "You are signed out." in page.locator("main").inner_text()
    page.goto(f"{server.url}/console/today")
    page.wait_for_url("**/console/login")
    context.close()


def test_a_staff_member_has_no_owner_links(
    browser: Any, server: Server, console_staff: tuple[str, str]
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in(page, server, *console_staff)
    nav = page.get_by_role("navigation", name="Console")
    assert nav.get_by_role("link", name="Sync queue", exact=True).count() == 1
    assert nav.get_by_role("link", name="Staff", exact=True).count() == 0
    assert nav.get_by_role("link", name="Customers", exact=True).count() == 0
    context.close()


def test_a_wrong_password_is_refused_on_the_page(
    browser: Any, server: Server, console_owner: tuple[str, str]
) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{server.url}/console/login")
    fill_sign_in(page, console_owner[0], "not the password at all", lang="fr")
    assert "L\u2019e-mail ou le mot de passe est incorrect." in page.locator("main").inner_text()
    check(page, "console-login-refused", "fr")
    context.close()


def test_the_admin_api_key_does_not_open_the_console(server: Server) -> None:
    answer = httpx.get(
        f"{server.url}/console/today", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/login")
