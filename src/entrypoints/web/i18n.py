"""The pages' languages: gettext catalogs compiled from the .po files at start, the language a request
gets, and dates, times, prices and durations written the way that language writes them."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_timedelta, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_percent
from babel.support import NullTranslations, Translations

from domain.catalog import Money
from entrypoints.settings import LANGUAGES

LOCALES = Path(__file__).with_name("locales")
# The regional conventions each language is written with here (the businesses are European).
REGION = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES", "pt": "pt_PT", "de": "de_DE"}


@dataclass(frozen=True, slots=True)
class Texts:
    """One language's texts: `gettext` is a dict lookup (a page asks for some forty)."""

    table: dict[str, str]
    fallback: NullTranslations

    def gettext(self, message: str) -> str:
        return self.table.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.fallback.ngettext(singular, plural, n)


@cache
def translations(language: str) -> Texts:
    """The language's catalog, compiled in memory from its .po files (English is the source text):
    `messages.po` for the customer pages, one more file per part of the console (`console*.po`)."""
    files = sorted((LOCALES / language / "LC_MESSAGES").glob("*.po"))
    if language == "en" or not files:
        return Texts({}, NullTranslations())
    with files[0].open("rb") as po:
        catalog = read_po(po, locale=language)
    for path in files[1:]:
        with path.open("rb") as po:
            for message in read_po(po, locale=language):
                if message.id:
                    catalog[message.id] = message
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    table = {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }
    return Texts(table, Translations(compiled))


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
        return _money(self.language, price.amount_cents, price.currency)

    def day(self, value: date) -> str:
        return _day(self.language, value)

    @staticmethod
    def time(value: datetime, zone: ZoneInfo) -> str:
        """24-hour `HH:MM` in every language (so no locale data is needed: a day page has dozens)."""
        return value.astimezone(zone).strftime("%H:%M")

    def when(self, value: datetime, zone: ZoneInfo) -> str:
        """The day and time in the zone, with the zone named: `Tuesday 5 June 2029, 10:00 (Central
        European Summer Time)`."""
        local = value.astimezone(zone)
        return f"{self.day(local.date())}, {self.time(local, zone)} ({self.zone(local)})"

    def zone(self, local: datetime) -> str:
        return get_timezone_name(local, "long", locale=self._locale)

    def duration(self, value: timedelta) -> str:
        return _duration(self.language, value)

    def percent(self, value: int) -> str:
        """A whole percentage the language's way (en `50%`, fr `50 %`, de `50 %`)."""
        return format_percent(value / 100, locale=self._locale)


@cache
def _locale_of(language: str) -> Locale:
    return Locale.parse(REGION.get(language, language))


# The same few prices, days and durations are written again and again: each once per language.
@lru_cache(maxsize=4096)
def _money(language: str, cents: int, currency: str) -> str:
    return format_currency(Decimal(cents) / 100, currency, locale=_locale_of(language))


@lru_cache(maxsize=4096)
def _day(language: str, value: date) -> str:
    return format_date(value, "full", locale=_locale_of(language))


@lru_cache(maxsize=1024)
def _duration(language: str, value: timedelta) -> str:
    return format_timedelta(value, threshold=2, locale=_locale_of(language))
