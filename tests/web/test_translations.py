"""Every text of the pages (customer pages and console, each part in its own .po file) is translated
into fr, es, pt and de: no gap, no stale entry, same placeholders; and the formats are each language's own."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from domain.catalog import Money
from entrypoints.web.i18n import Formats, negotiate

WEB = Path(__file__).resolve().parents[2] / "src" / "entrypoints" / "web"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _source_texts() -> set[str]:
    found = extract_from_dir(
        str(WEB / "templates"),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.do"}},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("language", ["fr", "es", "pt", "de"])
def test_each_language_translates_every_text_of_the_pages(language: str) -> None:
    messages = []
    for path in sorted((WEB / "locales" / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            messages += [m for m in read_po(po, locale=language) if m.id]
    translated = {m.id: m.string for m in messages}
    texts = _source_texts()

    assert sorted(texts - set(translated)) == [], "in the templates, not in the catalog"
    assert sorted(set(translated) - texts) == [], "in the catalog, no longer in the templates"
    assert [m.id for m in messages if not m.string or m.fuzzy] == []
    wrong = [t for t in texts if sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(translated[t]))]
    assert wrong == []
    assert sum(translated[t] != t for t in texts) > len(texts) * 0.8  # translated, not copied


def test_prices_days_and_times_are_written_the_languages_way() -> None:
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2029, 6, 5, 8, 0, tzinfo=UTC)
    price = Money(8500, "EUR")

    def plain(text: str) -> str:
        return text.replace("\xa0", " ").replace("\u202f", " ")

    assert plain(Formats("fr").money(price)) == "85,00 €"
    assert plain(Formats("de").money(price)) == "85,00 €"
    assert plain(Formats("pt").money(price)) == "85,00 €"
    assert Formats("en").money(price) == "€85.00"
    summer = "heure d\u2019été d\u2019Europe centrale"
    assert Formats("fr").when(at, paris) == f"mardi 5 juin 2029, 10:00 ({summer})"
    assert Formats("de").time(at, paris) == "10:00" == Formats("en").time(at, paris)
    assert Formats("es").duration(timedelta(minutes=90)) == "90 minutos"


@pytest.mark.parametrize(
    ("asked", "locale", "accept", "expected"),
    [
        ("fr", "de", "es", "fr"),
        (None, "de-AT", "es", "de"),
        (None, None, "ja, pt-BR;q=0.8, es;q=0.9", "es"),
        ("xx", None, None, "en"),
        (None, None, "*", "en"),
        (None, None, "es;q=abc, de;q=0", "en"),
    ],
)
def test_the_language_is_the_query_then_the_customer_then_accept_language_then_the_default(
    asked: str | None, locale: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(asked, locale, accept, "en") == expected
