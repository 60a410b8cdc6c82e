"""The document tree to the report as one self-contained HTML page (styles inlined, no requests).

The page is rendered for two media from the same templates: "screen", the HTML file, whose
footnotes are listed once at the end of <main> and linked both ways; and "print", the page the
PDF renderer prints, whose footnotes stand at their reference as <span class="footnote">, which
the stylesheet floats to the foot of the page (CSS GCPM `float: footnote`). Nothing else
differs, so the two cannot drift apart. The templates walk the tree (templates/blocks.html, one
macro per node type) and know no section by name.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from ..assets import image_kind
from ..inline import literal
from ..job import Job
from ..locales import script_of
from ..templating import environment, header_widths, running_head, spans_html
from ..tree import Block, BulletList, Document, Inlines, OrderedList, Paragraph, iter_blocks

log = logging.getLogger(__name__)

MEDIA = ("screen", "print")
HEADER_GAP = 6  # pt between the running header's section name and the title


def output(job: Job) -> str:
    return f"{job.report_name}.html"


@dataclass(frozen=True)
class Entry:
    id: str
    title: Inlines
    children: list["Entry"] = field(default_factory=list)


def outline(document: Document, medium: str = "screen") -> list[Entry]:
    """The table of contents: the tree's sections of levels 1 and 2, in order, then the notes
    (on screen, where they are listed)."""
    labels = document.content.labels
    entries = [Entry(s.id, s.title, [Entry(c.id, c.title) for c in s.sections])
               for s in document.sections]
    if medium == "screen" and document.footnotes:
        entries.append(Entry("notes", literal(labels.notes)))
    return entries


def data_uri(data: bytes) -> str:
    """An image inlined into the page, which must make no request of its own."""
    return f"data:image/{image_kind(data)};base64,{base64.b64encode(data).decode('ascii')}"


class _ScreenNotes:
    """A footnote reference on the web page: a numbered link to its note at the end of <main>,
    which links back to the first reference."""

    def __init__(self):
        self.seen: set[int] = set()

    def __call__(self, number: int) -> str:
        back = "" if number in self.seen else f' id="fnref-{number}"'
        self.seen.add(number)
        return f'<sup><a href="#fn-{number}"{back} class="fn-ref">{number}</a></sup>'


class _PrintNotes:
    """A footnote reference in print: the note's text itself, at its first reference, floated
    by the stylesheet to the foot of the page; a later reference is a mark only."""

    def __init__(self, document: Document):
        self.footnotes, self.seen = document.footnotes, set()

    def __call__(self, number: int) -> str:
        footnote = self.footnotes.get(number)
        if footnote is None or number in self.seen:
            return f'<sup class="fn-ref">{number}</sup>'
        self.seen.add(number)
        # The first paragraph runs on from the note's number; the others are lines of their own.
        first, *more = _note_parts(footnote.blocks, self) or [""]
        body = first + "".join(f'<span class="fn-para">{part}</span>' for part in more)
        return f'<span class="footnote" id="fn-{number}" data-n="{number}">{body}</span>'


def _note_parts(blocks: tuple[Block, ...], note_ref) -> list[str]:
    """A note's blocks as runs of inline HTML (it stands inside a paragraph): a paragraph each,
    a list's items one after the other."""
    parts = []
    for block in iter_blocks(blocks):
        if isinstance(block, Paragraph):
            parts.append(str(spans_html(block.text, note_ref)))
        elif isinstance(block, (BulletList, OrderedList)):
            start = block.start if isinstance(block, OrderedList) else None
            for i, item in enumerate(block.items):
                mark = f"{start + i}. " if start is not None else "– "
                parts.append(str(escape(mark)) + str(spans_html(item.text, note_ref)))
    return parts


# CLDR's numbering systems (a locale's default digits) as CSS counter styles; "latn" is decimal.
COUNTER_STYLES = {"arab": "arabic-indic", "arabext": "persian", "beng": "bengali", "deva": "devanagari",
                  "gujr": "gujarati", "guru": "gurmukhi", "khmr": "khmer", "knda": "kannada", "laoo": "lao",
                  "mlym": "malayalam", "mymr": "myanmar", "orya": "oriya", "tamldec": "tamil",
                  "telu": "telugu", "thai": "thai", "tibt": "tibetan"}


@lru_cache(maxsize=16)
def writing(language: str, body: str, fallback: tuple[str, ...]) -> dict:
    """What the templates need of the language's writing: `script` (locales.Script: direction,
    start and end sides, CJK or not), the CSS `font_stack`, and `page_counter`, the counter
    style of page numbers after a comma ("" for the Latin digits, CLDR's default for most).

    For a CJK language the fallback fonts fontconfig says cover it come first, so that its
    punctuation, quotation marks and the Latin letters among its ideographs are the CJK
    font's (full-width, on the CJK baseline). Other languages keep the theme's order."""
    from babel import Locale, UnknownLocaleError
    script = script_of(language)
    fonts = [body, *fallback]
    if script.cjk:
        covers = [f for f in fallback if _covers(f, language)]
        fonts = covers + [f for f in fonts if f not in covers]
    try:
        digits = Locale.parse(language.replace("-", "_")).default_numbering_system
    except (ValueError, UnknownLocaleError):
        digits = "latn"
    counter = COUNTER_STYLES.get(digits)
    return {"script": script, "font_stack": ", ".join(f'"{n}"' for n in fonts) + ", sans-serif",
            "page_counter": f", {counter}" if counter else ""}


def _covers(family: str, language: str) -> bool:
    """Whether fontconfig says family covers the language's orthography."""
    import shutil
    import subprocess
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", f"{family}:lang={language}", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def writing_of(job: Job) -> dict:
    fonts = job.theme.fonts
    return writing(job.content.language or "en", fonts["body"], job.theme.fallback_fonts)


def report_html(job: Job, medium: str = "screen") -> str:
    """The report page as text for medium ("screen": the HTML file; "print": what the PDF
    prints); each computed once per job, the PDF renderer reusing the same templates."""
    if medium not in MEDIA:
        raise ValueError(f"no medium called {medium!r}; expected one of {MEDIA}")

    def make() -> str:
        env = environment(job.templates)
        document = job.document
        context = {"c": job.content, "document": document, "t": job.theme, "built": job.built,
                   "version": job.version, "medium": medium, "outline": outline(document, medium),
                   "image_src": lambda file: data_uri(job.images[file]),
                   "note_ref": _ScreenNotes() if medium == "screen" else _PrintNotes(document),
                   **writing_of(job)}
        # The running header's two boxes, and the headings cut to fit the first (print only).
        size, family = job.theme.sizes["small_pt"], job.theme.fonts["body"]
        fallback = job.theme.fallback_fonts
        area = (job.theme.page_mm[0] - job.theme.page["margin_left_mm"] - job.theme.page["margin_right_mm"]) * 72 / 25.4
        context["header_gap"] = HEADER_GAP
        header = context["header"] = header_widths(job.content.running_title, size, family, area, fallback)
        context["running_head"] = lambda spans: running_head(
            "".join(s.text for s in spans if s.note is None), header[0] - HEADER_GAP, size, family, fallback)
        # Safe to inline: the stylesheet is ours, and content reaches it only via css_string.
        context["css"] = job.once("report.css", lambda: Markup(env.get_template("report.css").render(context)))
        return env.get_template("report.html").render(context)
    return job.once(f"report.html:{medium}", make)


def render(job: Job) -> dict[str, bytes]:
    return {output(job): report_html(job, "screen").encode("utf-8")}
