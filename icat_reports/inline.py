"""Content text (a small Markdown subset) to format-neutral spans.

Only *emphasis*, **strong** and [links](https://…) are recognised, by markdown-it-py; raw HTML
stays literal text. Every renderer turns the same spans into its own markup, so the formats
cannot disagree about what a sentence says.
"""

from __future__ import annotations

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


@cache
def _parser() -> MarkdownIt:
    # Imported on first use: loading and validating the content needs no Markdown, and the
    # build forks its first process before anything is rendered (rendering.py).
    from markdown_it import MarkdownIt
    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "entity", "newline"])
    md.validateLink = safe_url
    return md


@lru_cache(maxsize=4096)
def spans(text: str) -> tuple[Span, ...]:
    """Parse one content string into spans; adjacent plain text is merged."""
    tokens = _parser().parseInline(text)
    return token_spans(tokens[0].children if tokens else [])


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
