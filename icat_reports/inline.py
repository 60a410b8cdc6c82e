"""Content text (a small Markdown subset) to format-neutral spans.

Only *emphasis*, **strong** and [links](https://…) are recognised, by markdown-it-py; raw HTML
stays literal text. The typographer sets the text as print does: straight quotes and
apostrophes become the language's curly ones (’ “ ” in English), -- an en dash, ... an ellipsis;
and a non-breaking space goes where the language wants one (typeset()). Every renderer turns the same spans into its own markup, so the formats
cannot disagree about what a sentence says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    note: int | None = None  # a footnote reference: the note's number (text is the mark)


def literal(text: str | None) -> tuple[Span, ...]:
    """Text shown as it is written (names from data files: no Markdown)."""
    return (Span(text),) if text else ()


def safe_url(url: str) -> bool:
    """True for the link targets content may use: http(s) and mailto."""
    return urlsplit(url.strip()).scheme.lower() in ALLOWED_SCHEMES


# The quotes of each language (markdown-it's `quotes` option: double open, close, single open,
# close); a language not listed takes English's.
QUOTES = {"en": "“”‘’", "fr": ["«\u202f", "\u202f»", "“", "”"], "es": "«»“”", "de": "„“‚‘",
          "ru": "«»„“", "pt": "«»“”", "it": "«»“”", "ar": "«»‹›", "zh": "“”‘’"}
TYPOGRAPHY = ["replacements", "smartquotes"]


def _language(language: str | None) -> str:
    return (language or "en").split("-")[0].lower()


def typography(md: "MarkdownIt", language: str | None) -> "MarkdownIt":
    """md with markdown-it's typographer on, quoting as language does."""
    md.options["typographer"] = True
    md.options["quotes"] = QUOTES.get(_language(language), QUOTES["en"])
    return md.enable(TYPOGRAPHY)


@cache
def _parser(language: str = "en") -> MarkdownIt:
    # Imported on first use: loading and validating the content needs no Markdown, and the
    # build forks its first process before anything is rendered (rendering.py).
    from markdown_it import MarkdownIt
    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "entity", "newline"])
    md.validateLink = safe_url
    return typography(md, language)


@cache
def _plain_parser(language: str = "en") -> MarkdownIt:
    from markdown_it import MarkdownIt
    return typography(MarkdownIt("zero"), language)


# Where French wants a (narrow) non-breaking space: before ; : ! ? and inside « ».
_FRENCH_SPACE = re.compile(r"[ \u00a0](?=[;:!?»])|(?<=«)[ \u00a0]")
# In every language: a number stays with the sign or abbreviation before or after it
# ("No. 5", "p. 3", "10 %").
_NUMBER_SPACE = re.compile(r"\b(No|no|p|pp|para|art|Art)\. (?=\d)|(?<=\d) (?=%)")


def nbsp(text: str, language: str | None = "en") -> str:
    """text with non-breaking spaces where language wants them."""
    if _language(language) == "fr":
        text = _FRENCH_SPACE.sub("\u202f", text)
    return _NUMBER_SPACE.sub(lambda m: f"{m.group(1)}.\u00a0" if m.group(1) else "\u00a0", text)


@lru_cache(maxsize=4096)
def typeset(text: str, language: str | None = "en") -> str:
    """Plain text (a name from a data file: no Markdown) set as spans() sets text."""
    if not text:
        return text
    tokens = _plain_parser(_language(language)).parseInline(text)
    children = tokens[0].children if tokens else []
    return nbsp("".join(t.content if t.type == "text" else " " for t in children) or text, language)


@lru_cache(maxsize=4096)
def spans(text: str, language: str | None = "en") -> tuple[Span, ...]:
    """Parse one content string into spans; adjacent plain text is merged."""
    tokens = _parser(_language(language)).parseInline(text)
    return tuple(typeset_spans(token_spans(tokens[0].children if tokens else []), language))


def typeset_spans(result, language: str | None = "en"):
    """Spans with the language's non-breaking spaces (the quotes are the parser's)."""
    for span in result:
        if span.note is None and " " in span.text:
            fixed = nbsp(span.text, language)
            if fixed != span.text:
                span = Span(fixed, span.bold, span.italic, span.href)
        yield span


def token_spans(children, visit=None) -> tuple[Span, ...]:
    """markdown-it's inline tokens to spans. visit(token), when given, sees every token first:
    it returns spans to put in the token's place, or None to leave the token to this walk."""
    result: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for token in children:
        if visit is not None and (replaced := visit(token)) is not None:
            result.extend(replaced)
            continue
        kind = token.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = token.attrs.get("href")
            href = href if href and safe_url(href) else None
        elif kind == "link_close":
            href = None
        elif kind in ("text", "code_inline", "html_inline"):
            _append(result, Span(token.content, bold > 0, italic > 0, href))
        elif kind in ("softbreak", "hardbreak"):
            _append(result, Span(" ", bold > 0, italic > 0, href))
    return tuple(result)


def _append(result: list[Span], span: Span) -> None:
    if result and result[-1].note is None and span.note is None and \
            (result[-1].bold, result[-1].italic, result[-1].href) == (span.bold, span.italic, span.href):
        last = result.pop()
        span = Span(last.text + span.text, span.bold, span.italic, span.href)
    result.append(span)


def plain(text: str) -> str:
    """The text a reader sees, without any markup."""
    return "".join(span.text for span in spans(text))
