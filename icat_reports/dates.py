"""Dates as the outputs print them, in the document's language, from CLDR through Babel
(Jinja is not loaded to print a date on a slide).

English prints as UN documents do, "13 December 2010" (CLDR's en-GB long form); every other
language in its own CLDR long form: "13 décembre 2010", "2010年12月13日", "13 ديسمبر 2010".
Babel reads a language's data on first use (about 15 ms), so a build formats its dates once,
before the rendering processes fork (`warm`)."""

from __future__ import annotations

from functools import lru_cache

# CLDR's long date of plain "en" is the American "December 13, 2010".
_LOCALE_FOR = {"en": "en_GB"}


def locale_name(language: str) -> str:
    """The CLDR locale a document language prints its dates and numbers in."""
    base = (language or "en").replace("-", "_")
    return _LOCALE_FOR.get(base, base)


@lru_cache(maxsize=64)
def long_date(value, language: str = "en") -> str:
    """The date in the language's long form (CLDR), as a document's cover prints it."""
    from babel import UnknownLocaleError
    from babel.dates import format_date
    try:
        return format_date(value, format="long", locale=locale_name(language))
    except (ValueError, LookupError, UnknownLocaleError):  # a language CLDR does not know: the source's form
        return format_date(value, format="long", locale="en_GB")


def warm(values, language: str) -> None:
    """Format each date once in this process, so that the processes it forks find them."""
    for value in values:
        if value is not None:
            long_date(value, language)
