"""Pseudo-translations for tests: each English text in the script of a language, so that a
test can see right-to-left lines, CJK line breaking and Cyrillic glyphs without the project
pretending to ship translations (it ships none).

Lowercase words are transliterated letter by letter into the target script (Arabic letters,
CJK ideographs, Cyrillic); what a translation keeps as it is stays: acronyms and symbols
(UNODC, A/RES/61/180), numbers, Markdown links' targets, footnote marks, `{placeholders}`.
Chinese gets no spaces between its words and full-width punctuation, as Chinese text has.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
CJK = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"
KEEP = re.compile(r"\[\^[^\]]+\]|\]\([^)]*\)|\{[a-z_]+\}|<[^>]+>|https?://\S+|\S+@\S+|\b[A-Z][A-Z0-9/.-]+\b|\d[\d/.,-]*")
WORD = re.compile(r"[a-z][a-zA-Z'’-]*|[A-Z][a-z][a-zA-Z'’-]*")
FULL_WIDTH = {",": "，", ".": "。", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}


def _letters(word: str, alphabet: str) -> str:
    return "".join(alphabet[(ord(ch.lower()) * 7 + i) % len(alphabet)] for i, ch in enumerate(word) if ch.isalpha())


def _cjk_word(word: str) -> str:
    # About one ideograph for three Latin letters, as Chinese runs shorter than English.
    seed = sum(map(ord, word))
    return "".join(CJK[(seed + 31 * i) % len(CJK)] for i in range(max(1, len(word) // 3)))


def pseudo(text: str, language: str) -> str:
    """text in the script of language ("ar", "zh", "ru"; others get accented Latin)."""
    out, last = [], 0
    for keep in KEEP.finditer(text):
        out.append(_plain(text[last:keep.start()], language))
        out.append(keep.group())
        last = keep.end()
    out.append(_plain(text[last:], language))
    return "".join(out)


def _plain(text: str, language: str) -> str:
    if language == "ar":
        return WORD.sub(lambda m: _letters(m.group(), ARABIC), text)
    if language == "ru":
        return WORD.sub(lambda m: _letters(m.group(), CYRILLIC), text)
    if language == "zh":
        words = WORD.sub(lambda m: _cjk_word(m.group()), text)
        words = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", words)
        return "".join(FULL_WIDTH.get(ch, ch) if ch in FULL_WIDTH and not _between_digits(words, i) else ch
                       for i, ch in enumerate(words))
    accents = str.maketrans("aeiouc", "àéîõüç")
    return WORD.sub(lambda m: m.group().translate(accents), text)


def _between_digits(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def fill(path: Path, language: str) -> None:
    """Every entry of the catalog at path translated by `pseudo`."""
    from babel.messages import pofile
    catalog = pofile.read_po(path.open("rb"), locale=language)
    for message in catalog:
        if message.id:
            message.string = pseudo(message.id, language)
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, include_previous=True)
    path.write_bytes(buffer.getvalue())
