"""Steps of the browser tests: booking through the pages, axe-core's checks, screenshots on request."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe

SHOTS = os.environ.get("BOOKHUB_SCREENSHOTS")  # a folder: each checked page is saved there as a PNG
BAD = {"serious", "critical"}
_axe = Axe()


def next_weekday(weekday: int, *, after_days: int = 2) -> date:
    """A day at least `after_days` ahead that is the given weekday (0 = Monday)."""
    day = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=after_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def check(page: Any, name: str, lang: str = "en") -> None:
    """No serious or critical axe-core violation; one h1, a main, the page's language; saved if asked."""
    results = _axe.run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in BAD
    ]
    assert bad == [], f"axe on {name} ({lang}): {bad}"
    assert page.locator("h1").count() == 1, name
    assert page.locator("main").count() == 1, name
    assert page.locator("html").get_attribute("lang") == lang, name
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{lang}-{name}.png"), full_page=True)


def exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def book_on_the_pages(
    page: Any, base: str, day: date, words: dict[str, str], *, lang: str = "en", email: str = "ada@x.org"
) -> None:
    """`/` → the offering → the day (the date field and Show) → 10:00 → the form → Book."""
    page.goto(base + "/")
    check(page, "catalog", lang)
    page.get_by_role("link", name="Airport transfer").click()
    check(page, "day", lang)
    page.get_by_label(words["Day"], exact=True).fill(day.isoformat())
    page.get_by_role("button", name=words["Show"], exact=True).click()
    page.get_by_role("link", name="10:00", exact=True).click()
    check(page, "details", lang)
    page.get_by_label(words["Name"], exact=True).fill("Ada Lovelace")
    page.get_by_label(words["Email"], exact=True).fill(email)
    page.get_by_role("button", name=words["Book"], exact=True).click()
