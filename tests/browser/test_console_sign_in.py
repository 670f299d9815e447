"""The console in Chromium against a real `bookhub serve`, with accounts made by `bookhub staff add`:
signing in and out, the lock after five failures, what the session cookie is, what opens nothing, the
owners' pages, a new member's one-time link; no secret in the server's log."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import ADMIN_KEY, Server
from tests.browser.console_support import (
    PASSWORD,
    add_staff_account,
    console_owner,
    console_staff,
    fill_sign_in,
    sign_in,
)
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


def test_five_wrong_passwords_lock_that_email_only(
    browser: Any, server: Server, console_staff: tuple[str, str]
) -> None:
    email, password = add_staff_account(server, "locked.browser@example.com", "staff")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.url}/console/login")
    for _ in range(5):
        fill_sign_in(page, email, "not the password at all")
        assert "The email or the password is wrong." in page.locator("main").inner_text()
    fill_sign_in(page, email, password)  # the right one, refused now
    assert "Too many failed sign-ins for this email" in page.locator("main").inner_text()
    check(page, "console-login-locked")
    sign_in(page, server, *console_staff)  # another email is not locked
    assert page.get_by_role("heading", level=1).inner_text() == "Today"
    context.close()


def test_a_form_posted_without_its_csrf_token_is_refused(
    browser: Any, server: Server, console_owner: tuple[str, str]
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in(page, server, *console_owner)
    refused = page.request.post(f"{server.url}/console/logout", form={"lang": "en"}, max_redirects=0)
    assert refused.status == 403
    page.reload()
    assert page.get_by_role("button", name="Sign out", exact=True).count() == 1  # still signed in
    context.close()


def test_a_staff_member_gets_a_403_page_on_the_staff_page(
    browser: Any, server: Server, console_staff: tuple[str, str]
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in(page, server, *console_staff)
    answer = page.goto(f"{server.url}/console/staff")
    assert answer is not None
    assert answer.status == 403
    assert "Only an owner can open this page." in page.locator("main").inner_text()
    check(page, "console-owners-only")
    context.close()


def test_an_owner_adds_a_member_who_sets_a_password_with_the_link(
    browser: Any, server: Server, console_owner: tuple[str, str]
) -> None:
    owner = browser.new_context(locale="en-GB").new_page()
    sign_in(owner, server, *console_owner)
    owner.get_by_role("link", name="Staff", exact=True).click()
    check(owner, "console-staff")
    owner.get_by_label("Email", exact=True).fill("added.browser@example.com")
    owner.get_by_label("Role", exact=True).select_option(label="Staff member")
    owner.get_by_role("button", name="Add", exact=True).click()
    link = owner.locator("main code").inner_text()
    assert link.startswith(f"{server.url}/console/password/")
    check(owner, "console-staff-added")

    newcomer = browser.new_context(locale="de-DE").new_page()
    newcomer.goto(link)
    check(newcomer, "console-password", "de")
    newcomer.get_by_label("Passwort", exact=True).fill("a password of my own")
    newcomer.get_by_label("Passwort wiederholen", exact=True).fill("a password of my own")
    newcomer.get_by_role("button", name="Passwort speichern", exact=True).click()
    newcomer.wait_for_url("**/console/login*")
    assert "Ihr Passwort ist gesetzt." in newcomer.locator("main").inner_text()
    fill_sign_in(newcomer, "added.browser@example.com", "a password of my own", lang="de")
    newcomer.wait_for_url("**/console/today*")
    assert newcomer.get_by_role("heading", level=1).inner_text() == "Heute"
    check(newcomer, "console-today", "de")

    log = server.log_text()
    assert link.rsplit("/", 1)[1] not in log
    assert "a password of my own" not in log
    assert PASSWORD not in log
    for cookie in newcomer.context.cookies():
        if cookie["name"] == "bookhub_console":
            assert cookie["value"] not in log
    owner.context.close()
    newcomer.context.close()


def test_the_customers_page_passes_axe(browser: Any, server: Server, console_owner: tuple[str, str]) -> None:
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, server, *console_owner)
    page.get_by_role("link", name="Customers", exact=True).click()
    check(page, "console-customers")
    page.get_by_label("Email", exact=True).fill("nobody@example.com")
    page.get_by_role("button", name="Find", exact=True).click()
    assert "No customer has this email." in page.locator("main").inner_text()
    check(page, "console-customers-unknown")
    page.context.close()
