"""In Chromium against a real `bookhub serve`: book, pay in the sandbox, land on the confirmed booking;
the same in French; the confirmation email's link in a fresh browser; a tampered link; CSRF; headers;
and nothing secret in the server's log."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from tests.browser.conftest import Server
from tests.browser.walk import book_on_the_pages, check, exact, next_weekday

EN = {"Day": "Day", "Show": "Show", "Name": "Name", "Email": "Email", "Book": "Book", "Pay": "Pay"}
FR = {"Day": "Jour", "Show": "Afficher", "Name": "Nom", "Email": "E-mail", "Book": "Réserver", "Pay": "Payer"}


def _manage_link(server: Server, email: str, timeout: float = 20) -> str:
    """The link in the confirmation email the worker sent to the fake Resend."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in list(server.emails.received):
            body = received.json()
            if email in body["to"] and "/manage/" in body["text"]:
                found = re.search(r"https?://\S+/manage/[A-Za-z0-9_-]+", body["text"])
                assert found, body["text"]
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no confirmation email for {email}: {server.emails.received}")


def test_book_pay_and_open_the_emailed_link_in_a_fresh_browser(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    book_on_the_pages(page, server.url, next_weekday(1), EN, email="ada.en@example.com")

    check(page, "sandbox")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    check(page, "booking-confirmed")
    assert page.locator(".status").inner_text() == "Confirmed"
    assert "€85.00" in page.locator("main").inner_text()
    booking_url = page.url
    cookies = [c["value"] for c in context.cookies()]
    context.close()

    link = _manage_link(server, "ada.en@example.com")
    fresh = browser.new_context(locale="en-GB")
    other = fresh.new_page()
    response = other.goto(link)
    assert response is not None
    assert response.status == 200
    assert other.url == booking_url  # the secret left the address bar
    assert other.locator(".status").inner_text() == "Confirmed"
    cookies += [c["value"] for c in fresh.cookies()]
    fresh.close()

    log = server.log_text()
    assert "GET /manage/{opaque} 303" in log  # not vacuous: the access log saw the link opened
    opaque = link.rsplit("/", 1)[1]
    assert [secret for secret in (link, opaque, *cookies) if secret and secret in log] == []


def test_the_same_in_french_with_french_prices_and_dates(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    day = next_weekday(1)
    book_on_the_pages(page, server.url, day, FR, lang="fr", email="ada.fr@example.com")

    check(page, "sandbox", "fr")
    assert "85,00 €" in page.locator("main").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    page.get_by_role("button", name="Payer", exact=True).click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    check(page, "booking-confirmed", "fr")
    text = page.locator("main").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert page.locator(".status").inner_text() == "Confirmée"
    assert "85,00 €" in text
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert f"mardi {day.day} {months[day.month - 1]} {day.year}, 10:00 (heure" in text
    context.close()


def test_a_tampered_link_is_a_404_page_and_a_post_without_csrf_is_403(browser: Any, server: Server) -> None:
    body = {
        "offering_id": "airport-transfer",
        "start": f"{next_weekday(2).isoformat()}T12:00:00+02:00",
        "customer": {"name": "Ada Lovelace", "email": "ada.api@example.com"},
    }
    created = httpx.post(f"{server.url}/v1/bookings", json=body, timeout=10).json()
    link = created["manage_url"]
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    response = page.goto(tampered)
    assert response is not None
    assert response.status == 404
    check(page, "not-found")
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert context.cookies() == [] or all(c["name"] != "bookhub_booking" for c in context.cookies())

    page.goto(f"{server.url}/book/airport-transfer")
    headers = page.goto(f"{server.url}/")
    assert headers is not None
    csp = headers.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers.headers["referrer-policy"] == "no-referrer"

    before = httpx.get(f"{server.url}/admin/bookings", headers=_admin(), timeout=10).json()["items"]
    form = {"start": body["start"], "key": "browser-no-csrf-1", "name": "Eve", "email": "eve@example.com"}
    refused = page.request.post(f"{server.url}/book/airport-transfer", form=form)
    assert refused.status == 403
    page.set_content(refused.text())
    after = httpx.get(f"{server.url}/admin/bookings", headers=_admin(), timeout=10).json()["items"]
    assert len(after) == len(before)
    page.goto(f"{server.url}/bookings/{created['booking_id']}")  # no cookie in this browser
    assert page.get_by_role("heading", name=exact("Page not found")).is_visible()
    context.close()


def _admin() -> dict[str, str]:
    from tests.browser.conftest import ADMIN_KEY

    return {"Authorization": f"Bearer {ADMIN_KEY}"}
