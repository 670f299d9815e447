"""In Chromium against a real `bookhub serve`: change the time of a confirmed booking (the old time is
free again), cancel one with the refund stated first, and the same cancellation in French."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx

from tests.browser.conftest import Server
from tests.browser.walk import book_on_the_pages, check, exact, next_weekday

EN = {"Day": "Day", "Show": "Show", "Name": "Name", "Email": "Email", "Book": "Book"}
FR = {"Day": "Jour", "Show": "Afficher", "Name": "Nom", "Email": "E-mail", "Book": "Réserver"}
BOOKING_PAGE = re.compile(r"/bookings/[0-9a-f-]{36}(\?.*)?$")


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _paid_booking(page: Any, server: Server, day: date, words: dict[str, str], pay: str, **kw: Any) -> None:
    book_on_the_pages(page, server.url, day, words, **kw)
    page.get_by_role("button", name=pay, exact=True).click()
    page.wait_for_url(BOOKING_PAGE)


def _times(server: Server, day: date) -> list[str]:
    html = httpx.get(f"{server.url}/book/airport-transfer", params={"date": day.isoformat()}, timeout=10).text
    return re.findall(r">(\d\d:\d\d)</a>", html)


def test_change_the_time_of_a_confirmed_booking(browser: Any, server: Server) -> None:
    day = next_weekday(0)
    other = {
        "offering_id": "airport-transfer",
        "start": f"{day.isoformat()}T10:00:00+02:00",
        "customer": {"name": "Grace Hopper", "email": "grace@example.com"},
    }
    assert httpx.post(f"{server.url}/v1/bookings", json=other, timeout=10).status_code == 201
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    _paid_booking(page, server, day, EN, "Pay", email="ada.move@example.com")
    assert page.locator(".status").inner_text() == "Confirmed"
    assert "10:00" not in _times(server, day)  # both vans taken at 10:00

    page.get_by_role("link", name="Change time", exact=True).click()
    page.get_by_label("Day", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Show", exact=True).click()
    check(page, "move")
    page.get_by_role("link", name="14:00", exact=True).click()
    check(page, "move-confirm")
    assert "14:00" in page.locator("dd strong").inner_text()
    page.get_by_role("button", name="Move booking", exact=True).click()
    page.wait_for_url(BOOKING_PAGE)
    check(page, "booking-moved")
    when = page.locator("dl.summary dd").first.inner_text()
    assert f"{day.day} " in when
    assert ", 14:00 (" in when
    assert page.get_by_role("status").is_visible()
    assert "10:00" in _times(server, day)  # the old time is free again
    context.close()


def test_cancel_states_the_refund_then_says_cancelled(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    _paid_booking(page, server, next_weekday(2), EN, "Pay", email="ada.cancel@example.com")
    page.get_by_role("link", name="Cancel booking", exact=True).click()
    check(page, "cancel")
    main = page.locator("main").inner_text()
    assert "You will be refunded €85.00." in main
    assert "Cancelling is free until" in main
    assert "After that, 50% of the price is refunded." in main
    page.get_by_role("button", name="Yes, cancel", exact=True).click()
    page.wait_for_url(BOOKING_PAGE)
    check(page, "booking-cancelled")
    assert page.locator(".status").inner_text() == "Cancelled"
    assert "€85.00 is being refunded to you." in page.locator("main").inner_text()
    assert page.get_by_role("link", name=exact("Change time")).count() == 0
    assert page.get_by_role("link", name=exact("Cancel booking")).count() == 0
    context.close()


def test_the_cancel_confirmation_in_french_with_a_french_price(browser: Any, server: Server) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    _paid_booking(page, server, next_weekday(3), FR, "Payer", lang="fr", email="ada.annule@example.com")
    page.get_by_role("link", name="Annuler la réservation", exact=True).click()
    check(page, "cancel", "fr")
    main = _plain(page.locator("main").inner_text())
    assert "Vous serez remboursé de 85,00 €." in main
    assert "L'annulation est gratuite jusqu'au" in main
    assert "Ensuite, 50 % du prix est remboursé." in main
    page.get_by_role("button", name="Oui, annuler", exact=True).click()
    page.wait_for_url(BOOKING_PAGE)
    check(page, "booking-cancelled", "fr")
    assert page.locator(".status").inner_text() == "Annulée"
    assert "Nous vous remboursons 85,00 €." in _plain(page.locator("main").inner_text())
    context.close()
