"""What a document's language asks of every format: its writing direction and its script.

From CLDR through Babel (a locale's character order, its likely script), never a list of
languages in code: Arabic (and Hebrew, Persian, Urdu ...) is right to left; Chinese and
Japanese are CJK, which takes East Asian font slots, no synthetic italics, and no spaces
between words. Every renderer asks here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

CJK_SCRIPTS = frozenset({"Hans", "Hant", "Jpan", "Kore", "Hani"})


@dataclass(frozen=True)
class Script:
    language: str        # the document's language tag, as in document.yaml ("ar", "zh", "fr")
    direction: str       # "rtl" or "ltr"
    script: str          # ISO 15924: "Latn", "Cyrl", "Arab", "Hans" ...

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def cjk(self) -> bool:
        return self.script in CJK_SCRIPTS

    @property
    def complex(self) -> bool:
        """Written in a script Word and PowerPoint set in their complex-script font slot."""
        return self.rtl or self.script in {"Arab", "Hebr", "Deva", "Thai"}

    @property
    def start(self) -> str:
        """The side lines start on: "left" or "right"."""
        return "right" if self.rtl else "left"

    @property
    def end(self) -> str:
        return "left" if self.rtl else "right"


@lru_cache(maxsize=32)
def script_of(language: str) -> Script:
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    tag = (language or "en").replace("-", "_")
    try:
        locale = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return Script(language, "ltr", "Latn")
    script = locale.script
    if script is None:
        likely = get_global("likely_subtags").get(locale.language, "")
        parts = likely.split("_")
        script = next((p for p in parts[1:] if len(p) == 4 and p.istitle()), "Latn")
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Script(language, direction, script)


@lru_cache(maxsize=32)
def office_language(language: str) -> str:
    """The language as Word and PowerPoint tag it, language-REGION ("ar-EG", "zh-CN", "fr-FR"):
    Office's language lists hold specific cultures ("Arabic (Egypt)", "Chinese (PRC)"), not
    bare "Arabic" or "Chinese", and key proofing, East Asian line breaking and fonts on them;
    LibreOffice reads the same tags. The region the tag names, else CLDR's likely one for the
    language (and script), through Babel: ar -> ar-EG, zh -> zh-CN, zh-Hant -> zh-TW."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    tag = (language or "en").replace("-", "_")
    try:
        locale = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return language
    region = locale.territory
    if region is None:
        likely = get_global("likely_subtags")
        key = f"{locale.language}_{locale.script}" if locale.script else locale.language
        found = likely.get(key) or likely.get(locale.language) or ""
        region = next((p for p in found.split("_")[1:] if p.isupper() or p.isdigit()), None)
    return f"{locale.language}-{region}" if region else locale.language
