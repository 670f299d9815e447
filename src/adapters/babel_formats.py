"""Dates and prices in a customer's language with Babel (CLDR): `mardi 2 juin 2026, 10:00 (Paris)`,
`85,00 €`. Times are 24-hour in every language and in the offering's time zone, which is named."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, get_timezone_location
from babel.numbers import format_currency

from application.ports import MessageFormats
from domain.catalog import Money

FALLBACK = "en"


@lru_cache(maxsize=64)
def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(FALLBACK)


@lru_cache(maxsize=64)
def _pattern(locale: Locale) -> str:
    """The language's full date with a 24-hour time, joined as the language joins a date and a time."""
    joined = locale.datetime_formats["full"]
    return str(joined).replace("{1}", locale.date_formats["full"].pattern).replace("{0}", "HH:mm")


class BabelFormats:
    def datetime(self, value: datetime, zone: ZoneInfo, locale: str) -> str:
        language = _locale(locale)
        text = format_datetime(value, _pattern(language), tzinfo=zone, locale=language)
        place = get_timezone_location(zone, locale=language, return_city=True)
        return f"{text} ({place})"

    def money(self, price: Money, locale: str) -> str:
        exponent = 10 ** _decimals(price.currency)
        amount = price.amount_cents / exponent
        return str(format_currency(amount, price.currency, locale=_locale(locale)))


def _decimals(currency: str) -> int:
    """Minor units per currency (ISO 4217): most have 2; these have none."""
    return 0 if currency.upper() in {"JPY", "KRW", "VND", "CLP", "ISK", "XAF", "XOF", "UGX", "PYG"} else 2


_: MessageFormats = BabelFormats()
