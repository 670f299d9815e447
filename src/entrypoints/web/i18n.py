"""The pages' languages: gettext catalogs compiled from the .po files at start, the language a request
gets, and dates, times, prices and durations written the way that language writes them."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

from domain.catalog import Money
from entrypoints.settings import LANGUAGES

LOCALES = Path(__file__).with_name("locales")
# The regional conventions each language is written with here (the businesses are European).
REGION = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES", "pt": "pt_PT", "de": "de_DE"}


@cache
def translations(language: str) -> NullTranslations:
    """The language's catalog, compiled in memory from its .po file (English is the source text)."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def load_all() -> None:
    """Compile every catalog now (at start), so a broken .po stops the start instead of a request."""
    for language in LANGUAGES:
        translations(language)


def negotiate(
    asked: str | None, customer_locale: str | None, accept_language: str | None, default: str
) -> str:
    """`?lang=` first, then the booking's customer locale, then Accept-Language, then the default."""
    for candidate in (asked, customer_locale):
        base = _base(candidate)
        if base in LANGUAGES:
            return base
    for base in _accepted(accept_language or ""):
        if base in LANGUAGES:
            return base
    return default


def _base(tag: str | None) -> str | None:
    return tag.strip().lower().replace("_", "-").split("-")[0] if tag else None


def _accepted(header: str) -> Iterable[str]:
    """The header's languages by falling preference (`q`), keeping their order among equals."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, _base(tag) or ""))
    return [base for _, _, base in sorted(weighted)]


@dataclass(frozen=True, slots=True)
class Formats:
    """How one language writes money, days, times and durations; times in the zone they are given."""

    language: str

    @property
    def _locale(self) -> Locale:
        return _locale_of(self.language)

    def money(self, price: Money) -> str:
        amount = Decimal(price.amount_cents) / 100
        return format_currency(amount, price.currency, locale=self._locale)

    def day(self, value: date) -> str:
        return format_date(value, "full", locale=self._locale)

    def short_day(self, value: date) -> str:
        return format_date(value, "medium", locale=self._locale)

    def time(self, value: datetime, zone: ZoneInfo) -> str:
        """24-hour `HH:MM` in every language."""
        return format_time(value.astimezone(zone), "HH:mm", locale=self._locale)

    def when(self, value: datetime, zone: ZoneInfo) -> str:
        """The day and time in the zone, with the zone named: `Tuesday 5 June 2029, 10:00 (Central
        European Summer Time)`."""
        local = value.astimezone(zone)
        return f"{self.day(local.date())}, {self.time(local, zone)} ({self.zone(local)})"

    def zone(self, local: datetime) -> str:
        return get_timezone_name(local, "long", locale=self._locale)

    def duration(self, value: timedelta) -> str:
        return format_timedelta(value, threshold=2, locale=self._locale)


@cache
def _locale_of(language: str) -> Locale:
    return Locale.parse(REGION.get(language, language))
