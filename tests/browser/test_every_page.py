"""Every page in every language, in Chromium: axe-core finds no serious or critical violation, each has
one h1, a main and its language. With BOOKHUB_SCREENSHOTS=<folder> each page is saved as a PNG."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ADMIN_KEY, Server
from tests.browser.walk import check, next_weekday

LANGUAGES = ["en", "fr", "es", "pt", "de"]
WORDS = {
    "en": ("Book", "Fail", "Try again"),
    "fr": ("Réserver", "Échouer", "Réessayer"),
    "es": ("Reservar", "Fallar", "Reintentar"),
    "pt": ("Reservar", "Falhar", "Tentar novamente"),
    "de": ("Buchen", "Fehlschlagen", "Erneut versuchen"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_in_every_language_passes_axe(browser: Any, server: Server, lang: str) -> None:
    book, fail, try_again = WORDS[lang]
    context = browser.new_context(locale=lang)
    page = context.new_page()
    day = next_weekday(3, after_days=3 + LANGUAGES.index(lang) * 7)

    page.goto(f"{server.url}/?lang={lang}")
    check(page, "catalog", lang)
    page.goto(f"{server.url}/book/airport-transfer?date={day.isoformat()}&lang={lang}")
    check(page, "day", lang)
    page.goto(f"{server.url}/book/discovery-call?date={next_weekday(5).isoformat()}&lang={lang}")
    check(page, "day-free", lang)

    # The car service's form, sent empty: every field it asks, with the wrong ones marked.
    page.goto(f"{server.url}/book/car-service?date={day.isoformat()}&lang={lang}")
    page.get_by_role("link", name="10:00", exact=True).click()
    check(page, "details-dispatch", lang)
    page.get_by_role("button", name=book, exact=True).click()
    check(page, "details-errors", lang)

    # The transfer, booked, failed in the sandbox, back on the booking: Try again.
    page.goto(f"{server.url}/book/airport-transfer?date={day.isoformat()}&lang={lang}")
    page.get_by_role("link", name="10:00", exact=True).click()
    check(page, "details", lang)
    page.locator("#name").fill("Ada Lovelace")
    page.locator("#email").fill(f"ada.{lang}.axe@example.com")
    page.get_by_role("button", name=book, exact=True).click()
    check(page, "sandbox", lang)
    page.get_by_role("button", name=fail, exact=True).click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    check(page, "booking-failed", lang)
    booking_id = page.url.rsplit("/", 1)[1]

    # Paid, then offered additional work by the business: Approve, Pay now, Decline.
    page.get_by_role("button", name=try_again, exact=True).click()
    page.get_by_role("button", name=re.compile(r"^\s*(Pay|Payer|Pagar|Bezahlen)\s*$")).click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    proposed = httpx.post(
        f"{server.url}/admin/bookings/{booking_id}/extensions",
        json={"description": "Child seat", "amount_cents": 1500},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        timeout=10,
    )
    assert proposed.status_code == 201, proposed.text
    page.reload()
    check(page, "booking-extension", lang)

    # Change time: the picker, the confirmation, the booking moved; then cancelled, the refund stated.
    page.goto(f"{server.url}/bookings/{booking_id}/move?date={day.isoformat()}&lang={lang}")
    check(page, "move", lang)
    page.get_by_role("link", name="14:00", exact=True).click()
    check(page, "move-confirm", lang)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}\?"))
    check(page, "booking-moved", lang)
    page.goto(f"{server.url}/bookings/{booking_id}/cancel?lang={lang}")
    check(page, "cancel", lang)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}\?"))
    check(page, "booking-cancelled", lang)
    assert page.locator("main .extensions form").count() == 0  # nothing left to answer on a cancelled booking

    page.goto(f"{server.url}/manage/nothing-here?lang={lang}")
    check(page, "not-found", lang)
    context.close()
