"""The deck definition (content/handout.yaml) and the content model to a list of slides.

The deck lists slides in order; each shows literal text and/or a named source of the content
model ('members', 'areas.Prevention.gaps', ...). expand() turns it into format-neutral Slide
objects, splitting a list too long for one slide into columns and continuation slides, so
the slides PDF, the notes PDF and the PowerPoint deck all show the same slides.

Whether text fits is decided here, from the font's own glyph widths and one slide geometry
(SLIDE) that every renderer lays out with.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import logging
import marshal
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Callable, Literal

from pydantic import Field, PrivateAttr, model_validator

from .caches import cache_dir
from .fields import Schema, Text
from .inline import plain, spans
from .problems import ContentError, Problem, format_path

if TYPE_CHECKING:  # model imports this module; importing it back at run time would be circular
    from .job import Job
    from .loader import RawContent
    from .tree import Document

log = logging.getLogger(__name__)

Name = Text  # the name of a source of the content


# -- the deck definition, as written in content/handout.yaml ---------------------------

class SubItem(Schema):
    """A sub-item or a speaker note: its text, or `source: NAME` (what that source says)."""

    text: Text | None = Field(None, description="The text")
    source: Name | None = Field(None, description="Or a source of the content, listed in handout.yaml")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value):
        # `- Some text` is short for `- text: Some text`.
        return value if isinstance(value, dict) else {"text": value}

    @model_validator(mode="after")
    def _one_of(self):
        if (self.text is None) == (self.source is None):
            raise ValueError("give either the item's text or `source: NAME`, not both or neither")
        return self


class Item(SubItem):
    """A bullet: its text or a source, and optional sub-items (one level)."""

    items: list[SubItem] = Field(default_factory=list, description="Sub-items")


def _as_list(value):
    return value if isinstance(value, list) or value is None else [value]


class Entry(Schema):
    """One slide of the deck definition."""

    title: Text | None = Field(None, description="Slide title (optional with a source)")
    subtitle: Text | None = Field(None, description="A smaller line under the title")
    source: Name | None = Field(None, description="What the slide shows from the content")
    show: Literal["paragraphs"] | None = Field(
        None, description="With `source: sections.ID`: `paragraphs` makes its paragraphs the bullets")
    intro: Text | SubItem | None = Field(None, description="A sentence above the bullets, or `source: NAME`")
    caption: Text | None = Field(None, description="A short heading above the bullets")
    bullets: list[Item] = Field(default_factory=list, description="Bullets after the source's")
    columns: Literal[1, 2] | None = Field(None, description="1 or 2: set the list in columns")
    footnote: Text | None = Field(None, description="A small note at the foot of the slide")
    notes: list[SubItem] = Field(default_factory=list, description="Speaker notes (PowerPoint)")

    @model_validator(mode="before")
    @classmethod
    def _one_note(cls, value):
        if isinstance(value, dict) and "notes" in value:
            value = {**value, "notes": _as_list(value["notes"])}
        return value


class DeckLabels(Schema):
    continued: Text = Field(description="Marks a slide that continues the previous one's list")
    presenters: Text | None = Field(None, description="Heads the presenters on the title slide "
                                                      "(the role's meaning when they are `organizations.ROLE`)")
    notes: Text = Field(description="Heads the ruled lines of the printed handout")


class Deck(Schema):
    title: Text = Field(description="Title of the deck: the title slide's and the file properties'")
    subtitle: Text | None = Field(None, description="A line under the title on the title slide "
                                                    "(the report's subtitle when not given)")
    event: Text = Field(description="Event name on the title slide, in the footer and page header")
    venue: Text | None = Field(None, description="Where the event takes place (title slide)")
    date: dt.date = Field(description="Event date, YYYY-MM-DD")
    presenters: Name | list[Text] | None = Field(
        None, description="Who presents (title slide): a source such as `organizations.panel`, or a list of names")
    labels: DeckLabels = Field(description="Fixed words of the handout")
    slides: Annotated[list[Entry], Field(min_length=1)] = Field(description="The slides, in order")
    closing: Entry | None = Field(None, description="An optional last slide, such as a thank-you with `source: contact`")
    # Where each value was written (set by check()), for problems found when laying out slides.
    _where: dict = PrivateAttr(default_factory=dict)


# -- what a slide shows ------------------------------------------------------------------

@dataclass(frozen=True)
class Bullet:
    """A bullet (content Markdown) and its sub-items."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Picture:
    """A figure of the report on a slide: the image file, its alternative text, its caption."""

    file: str
    alt: str
    caption: str | None = None


@dataclass(frozen=True)
class Body:
    """What a source gives a slide."""

    title: str | None = None
    subtitle: str | None = None
    tone: str | None = None          # "gaps" or "recommendations": the renderers colour by it
    intro: str | None = None
    caption: str | None = None
    bullets: tuple[Bullet, ...] = ()
    columns: int = 1
    plain: bool = False              # lines without bullet marks, such as an address
    footnote: str | None = None
    notes: tuple[str, ...] = ()      # speaker notes the source gives (a section's paragraphs)
    figure: Picture | None = None    # a picture of the section: shown on a slide of its own

    def texts(self) -> list[str]:
        """Every text, in reading order: what a source says in speaker notes."""
        out = [t for t in (self.intro, self.caption) if t]
        for b in self.bullets:
            out += [b.text, *b.items]
        out += [n for n in self.notes if n not in out]  # the notes hold the intro's paragraph too
        return out + ([self.footnote] if self.footnote else [])

    def as_bullets(self) -> tuple[Bullet, ...]:
        return self.bullets or tuple(Bullet(t) for t in (self.intro,) if t)


@dataclass(frozen=True)
class Slide:
    number: int                      # 1-based, after expansion
    entry: int                       # index in handout.slides; -1 the title slide, len(slides) the closing
    title: str
    subtitle: str | None
    tone: str | None
    continued: bool                  # continues the previous slide's list
    intro: str | None
    statement: bool                  # the intro alone, shown large
    caption: str | None
    columns: tuple[tuple[Bullet, ...], ...]
    plain: bool
    footnote: str | None
    notes: tuple[str, ...]
    size: float                      # body text size in pt; sub-items and caption a step smaller
    head_height: float               # pt taken by intro and caption above the columns
    footnote_height: float           # pt kept for the footnote at the bottom of the body
    figure: Picture | None = None    # a picture filling the body (its slide has no bullets)
    figure_height: float = 0.0       # pt of the box the picture is fitted into
    kind: Literal["title", "body"] = "body"   # "title": the title slide (title, subtitle, lines, caption, presenters)
    lines: tuple[str, ...] = ()      # the title slide's event and "venue · date" lines
    presenters: str | None = None    # the title slide's presenters, one line of text
    outline: str = ""                # the slide's full name, for PDF bookmarks ('Prevention: gaps')

    @property
    def bullets(self) -> tuple[Bullet, ...]:
        return tuple(b for column in self.columns for b in column)


# -- the named sources -------------------------------------------------------------------

def md_escape(text: str) -> str:
    """Plain text made safe to put inside content Markdown."""
    return "".join("\\" + ch if ch in "\\`*_[]<>&" else ch for ch in str(text))


def markdown(text) -> str:
    """Inline spans of the tree back to the content's Markdown subset; footnote marks dropped."""
    out = []
    for span in text:
        if span.note is not None:
            continue
        piece = md_escape(span.text)
        stripped = piece.strip()
        if stripped and (span.bold or span.italic):
            mark = ("**" if span.bold else "") + ("*" if span.italic else "")
            lead, trail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()):]
            piece = f"{lead}{mark}{stripped}{mark[::-1]}{trail}"
        if span.href:
            piece = f"[{piece}](<{span.href}>)"
        out.append(piece)
    return "".join(out)


def _orgs(orgs) -> tuple[Bullet, ...]:
    from .tree import org_line
    return tuple(Bullet(md_escape(org_line(o))) for o in orgs)


def _list_bullets(items) -> tuple[Bullet, ...]:
    """A list's items as bullets, each nested list's items as sub-items."""
    from .tree import BulletList, OrderedList
    out = []
    for item in items:
        subs = tuple(markdown(sub.text) for child in item.children
                     if isinstance(child, (BulletList, OrderedList)) for sub in child.items)
        out.append(Bullet(markdown(item.text), subs))
    return tuple(out)


def _blocks_body(document: Document, title: str | None, blocks, show: str | None) -> Body:
    """What a run of the tree's blocks gives a slide: its lists' items as bullets, the
    paragraph just before the first list as the intro (a cited title before it instead, with
    that paragraph as the caption), the other paragraphs as speaker notes. Without lists, the
    first paragraph is the slide's statement and the rest are notes; with `show: paragraphs`,
    every paragraph is a bullet. Footnotes go to the slide's footnote."""
    from .tree import (Address, Box, BulletList, Figure, KeyArea, OrderedList, Paragraph, Quote,
                       Table, iter_blocks)
    paragraphs, bullets, notes, columns = [], [], [], 1
    every = [markdown(b.text) for b in blocks if isinstance(b, Paragraph) and b.role != "cite"]
    figure = None
    cite = intro = caption = None
    tone, plain = None, False
    previous = None
    for block in blocks:
        if isinstance(block, Paragraph) and block.role == "cite":
            cite = f"“{markdown(block.text)}”"
        elif isinstance(block, Paragraph):
            paragraphs.append(block)
        elif isinstance(block, (BulletList, OrderedList)):
            if not bullets and isinstance(previous, Paragraph) and previous.role != "cite":
                paragraphs.remove(previous)
                intro = markdown(previous.text)
            bullets += _list_bullets(block.items)
            columns = max(columns, getattr(block, "columns", 1))
            tone = tone or getattr(block, "tone", None)
        elif isinstance(block, KeyArea):
            bullets += [Bullet(markdown(t)) for t in block.gaps + block.recommendations]
        elif isinstance(block, Address):
            intro = markdown(block.intro)
            lines = [markdown(line) for line in block.lines]
            bullets += [Bullet(f"**{lines[0]}**"), *map(Bullet, lines[1:])]
            plain = True
        elif isinstance(block, Table):  # a clear list: one bullet a row, the header as caption
            if not bullets and isinstance(previous, Paragraph) and previous.role != "cite":
                paragraphs.remove(previous)
                intro = markdown(previous.text)
            caption = caption or " – ".join(markdown(cell) for cell in block.header)
            bullets += [Bullet(" – ".join(markdown(cell) for cell in row if cell)) for row in block.rows]
        elif isinstance(block, Box):  # its title heads its lists' items on the slide
            inner = [b for b in block.blocks if isinstance(b, (BulletList, OrderedList))]
            if inner:
                caption = caption or markdown(block.title)
                for b in inner:
                    bullets += _list_bullets(b.items)
            notes += [markdown(b.text) for b in iter_blocks(block.blocks) if isinstance(b, Paragraph)]
        elif isinstance(block, Quote):
            notes += [markdown(b.text) for b in iter_blocks(block.blocks) if isinstance(b, Paragraph)]
        elif isinstance(block, Figure) and figure is None:
            figure = Picture(block.file, block.alt, markdown(block.caption) or None)
        previous = block
    if cite:
        intro, caption = cite, intro
    if show == "paragraphs":
        bullets = [Bullet(markdown(p.text)) for p in paragraphs] + bullets
        paragraphs = []
    elif not bullets and paragraphs and intro is None:
        intro = markdown(paragraphs.pop(0).text)
    # The speaker notes: every paragraph of the section, those on the slide too, so that the
    # speaker has the section's whole text beside each of its slides.
    notes = every + notes
    marks = [span.note for b in blocks for span in _spans_of(b) if span.note is not None]
    footnote = " ".join(markdown(p.text) for n in dict.fromkeys(marks)
                        for p in document.footnotes[n].blocks if isinstance(p, Paragraph)) or None
    return Body(title=title, tone=tone, intro=intro, caption=caption, bullets=tuple(bullets),
                columns=columns, plain=plain, footnote=footnote, notes=tuple(notes), figure=figure)


def _spans_of(block):
    from .tree import Paragraph
    return block.text if isinstance(block, Paragraph) else ()


def _section_body(document: Document, id: str, show: str | None) -> Body | None:
    section = document.section(id)
    if section is None:
        return None
    if not section.blocks and section.sections:  # a part made only of sub-sections: their titles
        return Body(title=markdown(section.title),
                    bullets=tuple(Bullet(markdown(s.title)) for s in section.sections))
    return _blocks_body(document, markdown(section.title), section.blocks, show)


def _origin_section(document: Document, name: str):
    return next((s for s in document.walk() if name in s.sources), None)


def _origin(document: Document, name: str) -> str | None:
    """The title of the report section that shows the data source name: a slide's default."""
    section = _origin_section(document, name)
    return markdown(section.title) if section is not None else None


def _data_body(document: Document, name: str) -> Body | None:
    """What a data source gives a slide; the paragraphs of the section that shows it, as notes."""
    body = _data_only(document, name)
    section = _origin_section(document, name)
    if body is None or body.notes or section is None:
        return body
    from .tree import Paragraph
    notes = tuple(markdown(b.text) for b in section.blocks if isinstance(b, Paragraph) and b.role != "cite")
    return replace(body, notes=notes) if notes else body


def _data_only(document: Document, name: str) -> Body | None:
    c = document.content
    title = _origin(document, name)
    if name == "document.title":
        return Body(title=title, intro=f"“{md_escape(c.title)}”")
    if name == "members" and c.organizations:
        return Body(title=title, bullets=_orgs(c.with_role("member") or c.organizations), columns=2)
    if name == "organizations" and c.organizations:
        return Body(title=title, bullets=_orgs(c.organizations))
    if name.startswith("organizations.") and name.partition(".")[2] in c.roles:
        orgs = c.with_role(name.partition(".")[2])
        return Body(title=title, bullets=_orgs(orgs), columns=2 if len(orgs) > 6 else 1)
    if name == "areas" and c.areas:
        return Body(title=title, bullets=tuple(Bullet(md_escape(a.name)) for a in c.areas))
    if name.startswith("areas."):
        rest = name.partition(".")[2]
        for area in c.areas:
            for which in ("gaps", "recommendations"):
                if rest.casefold() in (f"{area.name}.{which}".casefold(), f"{area.id}.{which}",
                                       f"{area.key or area.name}.{which}".casefold()):
                    return Body(title=md_escape(area.name), subtitle=md_escape(getattr(c.labels, which)),
                                tone=which, bullets=tuple(map(Bullet, getattr(area, which))))
        return None
    if name == "contact" and document.address is not None:
        return _blocks_body(document, title or md_escape(c.contact.intro), (document.address,), None)
    if name == "links" and c.links:
        return Body(title=title, bullets=tuple(Bullet(f"[{link.label}](<{link.url}>)") for link in c.links))
    return None


def source_names(document: Document) -> list[str]:
    """Every source a deck may name: each section's, and the data files'."""
    c = document.content
    names = [f"sections.{s.id}" for s in document.walk()]
    names += ["document.title"]
    if c.organizations:
        names += ["members", "organizations", *(f"organizations.{r}" for r in c.roles)]
    if c.areas:
        names += ["areas", *(f"areas.{a.name}.{w}" for a in c.areas for w in ("gaps", "recommendations"))]
    if c.contact:
        names.append("contact")
    if c.links:
        names.append("links")
    return names


def resolve(document: Document, name: str, show: str | None = None) -> Body | None:
    """What the source called name gives a slide, or None when there is no such source."""
    if name.startswith("sections."):
        return _section_body(document, name.partition(".")[2], show)
    return _data_body(document, name)


# -- checks run with the content model's ----------------------------------------------

def check(document: Document, raw: RawContent) -> list[Problem]:
    """Every source the deck names must exist; every slide must have a title."""
    problems: list[Problem] = []
    content = document.content
    base = ("handout", "slides")
    content.handout._where.update({p: loc for p, loc in raw.locations.items() if p[:1] == ("handout",)})

    def known(path: tuple, name: str) -> Body | None:
        body = resolve(document, name)
        if body is not None:
            return body
        close = difflib.get_close_matches(name, source_names(document), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        problems.append(Problem(raw.locate(path), format_path(path), f"unknown source '{name}'{hint}"))
        return None

    def items(path: tuple, entries: list[SubItem]) -> None:
        for i, item in enumerate(entries):
            if item.source:
                known(path + (i, "source"), item.source)
            items(path + (i, "items"), getattr(item, "items", []))

    if isinstance(content.handout.presenters, str):
        known(("handout", "presenters"), content.handout.presenters)
    entries = [(base + (i,), entry) for i, entry in enumerate(content.handout.slides)]
    if content.handout.closing is not None:
        entries.append((("handout", "closing"), content.handout.closing))
    for path, entry in entries:
        body = known(path + ("source",), entry.source) if entry.source else None
        if not entry.title and not (body and body.title) and (body or not entry.source):
            problems.append(Problem(raw.locate(path), format_path(path),
                                    "this slide needs a title (`title: ...`)"))
        if isinstance(entry.intro, SubItem) and entry.intro.source:
            known(path + ("intro", "source"), entry.intro.source)
        items(path + ("bullets",), entry.bullets)
        items(path + ("notes",), entry.notes)
    return problems


def fit_problems(document: Document, theme) -> list[Problem]:
    """What does not fit on a slide, laid out in the theme's fonts as the handout measures
    them, the body font and its fallbacks (build.py check reports it; a handout build stops on
    it). Not part of validation: a PDF-only build need not lay out slides."""
    try:
        expand(document, Measure(theme.fonts["body"], theme.fallback_fonts))
    except ContentError as error:
        return error.problems
    return []


# -- the slide geometry every renderer lays out with -----------------------------------

@dataclass(frozen=True)
class Geometry:
    """A 16:9 slide of 13.333 x 7.5 in (PowerPoint's widescreen), in points."""

    width: float = 960
    height: float = 540
    margin_x: float = 48
    bar_height: float = 96           # the title bar
    bar_padding: float = 10
    stripe: float = 5                 # coloured rule under the title bar
    body_top: float = 124
    body_bottom: float = 488
    footer_top: float = 500           # rule above the footer
    column_gap: float = 40
    title_pt: float = 30
    continued_pt: float = 18
    subtitle_pt: float = 16
    # Body text sizes, largest first: a slide takes the largest that needs no more slides
    # than the smallest would. One size, so that the deck reads alike throughout and a long
    # list continues on the next slide rather than shrinking (at least 24 pt: it is read from
    # across a room, and printed three to an A4 page). Sub-items and captions a step smaller.
    sizes: tuple[float, ...] = (24,)
    step: float = 2
    statement_pt: float = 28
    footnote_pt: float = 16
    footer_pt: float = 11
    line_height: float = 1.15          # of body text; exact in every renderer
    title_line_height: float = 1.12
    bullet_indent: float = 28
    sub_indent: float = 26
    bullet_gap: float = 8            # space above each bullet after the first
    sub_gap: float = 4
    plain_gap: float = 2
    head_gap: float = 14              # space under the intro and under the caption
    footnote_gap: float = 10          # space above the footnote
    title_lines: int = 2              # most lines a title may take
    footnote_lines: int = 3
    # The title slide: a band of the primary colour holding the title, the rest below it.
    cover_height: float = 210
    cover_title_pt: float = 40
    cover_title_lines: int = 2
    cover_padding: float = 28         # under the title, inside the band
    cover_top: float = 244            # the first line under the band

    @property
    def body_width(self) -> float:
        return self.width - 2 * self.margin_x

    @property
    def body_height(self) -> float:
        return self.body_bottom - self.body_top

    def smaller(self, size: float) -> float:
        return size - self.step

    def column_width(self, columns: int) -> float:
        return (self.body_width - (columns - 1) * self.column_gap) / columns

    @property
    def title_box(self) -> float:
        return self.bar_height - 2 * self.bar_padding


SLIDE = Geometry()


# -- measuring text ----------------------------------------------------------------------

@lru_cache(maxsize=32)
def font_file(family: str, bold: bool = False) -> str | None:
    """The file fontconfig gives for the family, or None when the family is not installed."""
    if not shutil.which("fc-match"):
        return None
    pattern = f"{family}:weight={'bold' if bold else 'regular'}"
    found = subprocess.run(["fc-match", "-f", "%{file}|%{family}", pattern], capture_output=True,
                           text=True).stdout
    path, _, families = found.partition("|")
    return path if family.casefold() in families.casefold() else None


@lru_cache(maxsize=8)
def _advances(path: str | None, bold: bool = False) -> tuple[dict[int, float], float]:
    """Each character's advance in em, and the average for characters the font lacks: the
    wider of the font's and Arial's, the font the PowerPoint deck names (see office_font), so
    that what fits in one fits in the other."""
    from . import arial_advances
    office = {cp: units / 2048 for cp, units in
              (arial_advances.BOLD if bold else arial_advances.REGULAR).items()}
    if path is None:
        return office, 0.62
    table = _cached_advances(path)
    return {cp: max(width, office.get(cp, 0.0)) for cp, width in table.items()}, 0.62


def _read_advances(path: str) -> dict[int, float]:
    from fontTools.ttLib import TTFont
    font = TTFont(path, lazy=True, fontNumber=0)  # a collection (.ttc): its faces' advances agree
    upm = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {cp: metrics[glyph][0] / upm for cp, glyph in font.getBestCmap().items()}


def _cached_advances(path: str) -> dict[int, float]:
    """_read_advances, kept in the cache folder per font file (by path, size and time).

    Reading them took fontTools 50 ms a font, twice a build (the PowerPoint deck and the
    printed handout expand the deck in two processes); loading them takes under 1 ms.
    """
    stat = os.stat(path)
    key = hashlib.sha256(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{sys.version}".encode()).hexdigest()
    cached = cache_dir() / f"advances-{key[:16]}.marshal"
    try:
        table = marshal.loads(cached.read_bytes())
        if isinstance(table, dict):
            return table
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = _read_advances(path)
    from .writer import write_atomic  # whole or not at all, even with builds side by side
    try:
        write_atomic(cached, marshal.dumps(table))
    except OSError as error:  # no cache folder: measure again next time
        log.debug("cannot keep the font's advances in %s: %s", cached.parent, error)
    return table


class Measure:
    """How many lines text takes at a width: a greedy word wrap with the font's advances.

    Browsers and PowerPoint may break a little differently (after hyphens, with kerning), so
    the usable width is taken slightly narrower than the box: an estimate errs towards more lines.
    """

    slack = 0.95

    def __init__(self, family: str, fallback: tuple[str, ...] = ()):
        self.family = family
        self.fonts = {bold: _advances(font_file(family, bold), bold) for bold in (False, True)}
        if font_file(family) is None:
            log.warning("font '%s' not found; estimating text widths", family)
        # The theme's fallback fonts, which print what the family lacks (Arabic, CJK): read
        # only when a text has such a character, so Latin text costs nothing more.
        self.fallback = tuple(fallback)
        self._missing: dict[tuple[int, bool], float] = {}
        self._fallback_tables: dict[bool, list[dict[int, float]]] = {}

    @staticmethod
    @lru_cache(maxsize=8)
    def of(family: str, fallback: tuple[str, ...] = ()) -> "Measure":
        """One Measure per font family (and fallback fonts) and process."""
        return Measure(family, fallback)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        table, default = self.fonts[bold]
        return sum(table[cp] if cp in table else self._fallback_width(cp, bold, default)
                   for cp in map(ord, text)) * size

    def _fallback_width(self, cp: int, bold: bool, default: float) -> float:
        """The advance of a character the family lacks, in the first fallback font that has it
        (an ideograph prints 1 em wide, not the family's average), else the average."""
        key = (cp, bold)
        if key not in self._missing:
            if bold not in self._fallback_tables:
                paths = (font_file(family, bold) for family in self.fallback)
                self._fallback_tables[bold] = [_cached_advances(path) for path in paths if path]
            self._missing[key] = next((table[cp] for table in self._fallback_tables[bold] if cp in table),
                                      default)
        return self._missing[key]

    def lines(self, text: str, width: float, size: float, bold: bool = False) -> int:
        width *= self.slack
        words: list[tuple[str, bool]] = []
        for span in spans(text):
            for i, word in enumerate(span.text.split(" ")):
                if i and words or not words:
                    words.append((word, span.bold or bold))
                else:  # a span that starts inside a word continues it
                    words[-1] = (words[-1][0] + word, words[-1][1])
        count, used = 1, 0.0
        for word, is_bold in words:
            if not word:
                continue
            w = self.width(word, size, is_bold)
            space = self.width(" ", size, is_bold)
            if used and used + space + w > width:
                count, used = count + 1, 0.0
            if not used:
                extra = max(0, math.ceil(w / width) - 1)   # a word wider than the line breaks
                count += extra
                used = w - extra * width
            else:
                used += space + w
        return count


# -- expansion: deck to slides -----------------------------------------------------------

def _fail(content, path: tuple, message: str) -> ContentError:
    from .problems import Location
    where = content.handout._where
    while path and path not in where:  # the nearest value that was written down
        path = path[:-1]
    return ContentError([Problem(where.get(path, Location("handout.yaml")), format_path(path), message)])


class _Layout:
    def __init__(self, measure: Measure, g: Geometry = SLIDE):
        self.m, self.g = measure, g

    def block(self, text: str, width: float, size: float, bold: bool = False) -> float:
        return self.m.lines(text, width, size, bold) * size * self.g.line_height

    def bullet(self, b: Bullet, width: float, plain: bool, size: float) -> float:
        g = self.g
        indent = 0 if plain else g.bullet_indent
        height = self.block(b.text, width - indent, size) if b.text else 0
        for item in b.items:
            height += (g.sub_gap if height else 0) + self.block(item, width - indent - g.sub_indent,
                                                                g.smaller(size))
        return height

    def gap(self, plain: bool) -> float:
        return self.g.plain_gap if plain else self.g.bullet_gap


def _pack(heights: list[float], caps: Callable[[int], float], columns: int, gap: float,
          limit: float) -> list[list[list[int]]]:
    """Bullet indexes per part and column, filling columns in reading order, each at most
    min(limit, caps(part)) high."""
    parts: list[list[list[int]]] = [[[]]]
    used = 0.0
    for i, h in enumerate(heights):
        while True:
            part, column = len(parts) - 1, parts[-1][-1]
            need = h + (gap if column else 0)
            if used + need <= min(limit, caps(part)) + 1e-6 or (not column and len(parts) > 50):
                column.append(i)
                used += need
                break
            if len(parts[-1]) < columns:
                parts[-1].append([])
            else:
                parts.append([[]])
            used = 0.0
    return parts


def _paginate(heights: list[float], caps: Callable[[int], float], columns: int,
              gap: float) -> list[list[list[int]]]:
    """As few parts as possible, then the columns as even as that allows."""
    if not heights:
        return [[[]]]
    fewest = _pack(heights, caps, columns, gap, math.inf)
    low, high = max(heights), max(caps(p) for p in range(len(fewest)))
    for _ in range(40):  # the smallest column height that needs no more parts
        mid = (low + high) / 2
        if len(_pack(heights, caps, columns, gap, mid)) <= len(fewest):
            high = mid
        else:
            low = mid
    best = _pack(heights, caps, columns, gap, high)
    return best if len(best) <= len(fewest) else fewest


def _entry_body(document: Document, entry: Entry, path: tuple) -> Body:
    body = resolve(document, entry.source, entry.show) if entry.source else Body()
    bullets = list(body.bullets)
    for item in entry.bullets:
        bullets += _items(document, item)
    intro = entry.intro
    if isinstance(intro, SubItem):
        intro = intro.text or " ".join(b.text for b in resolve(document, intro.source).as_bullets())
    # An intro of the entry's own moves the source's intro down to the caption.
    caption = entry.caption or body.caption or (body.intro if intro else None)
    return replace(
        body,
        title=entry.title or body.title,
        subtitle=entry.subtitle or body.subtitle,
        intro=intro or body.intro,
        caption=caption,
        bullets=tuple(bullets),
        columns=entry.columns or body.columns,
        footnote=entry.footnote or body.footnote,
    )


def _items(document: Document, item: Item) -> list[Bullet]:
    subs = [text for sub in item.items for text in _texts(document, sub)]
    if item.source:
        found = list(resolve(document, item.source).as_bullets())
        if subs and found:
            found[-1] = replace(found[-1], items=found[-1].items + tuple(subs))
        return found
    return [Bullet(item.text, tuple(subs))]


def _texts(document: Document, item: SubItem) -> list[str]:
    if item.source:
        return [b.text for b in resolve(document, item.source).as_bullets()]
    return [item.text]


def _notes(document: Document, entry: Entry, body: Body) -> tuple[str, ...]:
    """The entry's speaker notes, or those its source gives."""
    out: list[str] = []
    for item in entry.notes:
        out += resolve(document, item.source).texts() if item.source else [item.text]
    return tuple(out) or body.notes


@dataclass(frozen=True)
class _Plan:
    size: float
    parts: list[list[list[int]]]
    intro_h: float
    caption_h: float


def _plan(content, layout: _Layout, body: Body, entry: Entry, path: tuple, size: float,
          foot_h: float) -> _Plan:
    """How the body goes onto slides with body text of size pt."""
    g = layout.g
    columns = min(body.columns, max(1, len(body.bullets)))
    statement = bool(body.intro) and not body.bullets and not body.caption
    intro_h = caption_h = 0.0
    if body.intro:
        intro_h = layout.block(body.intro, g.body_width, g.statement_pt if statement else size) + g.head_gap
    if body.caption:
        caption_h = layout.block(body.caption, g.body_width, g.smaller(size), True) + g.head_gap
    first_cap = g.body_height - intro_h - caption_h - foot_h
    next_cap = g.body_height - caption_h
    if first_cap < -1e-6:
        raise _fail(content, path + ("intro",) if entry.intro else path + ("source",),
                    "the introduction is too long for one slide; shorten it or make bullets of it")
    heights = [layout.bullet(b, g.column_width(columns), body.plain, size) for b in body.bullets]
    for i, h in enumerate(heights):
        if h > next_cap + 1e-6:
            raise _fail(content, path + ("bullets",) if entry.bullets else path + ("source",),
                        f"bullet {i + 1} ('{body.bullets[i].text[:40]}…') is too long for one "
                        "slide; shorten it or split it into several bullets")
    caps = lambda part: first_cap if part == 0 else next_cap
    return _Plan(size, _paginate(heights, caps, columns, layout.gap(body.plain)), intro_h, caption_h)


def slides_of(job: Job) -> list[Slide]:
    """The expanded deck, once per job: the slides PDF, the notes and the PowerPoint share it."""
    theme = job.theme
    return job.once("deck", lambda: expand(job.document, Measure(theme.fonts["body"], theme.fallback_fonts)))


def expand(document: Document, measure: Measure, g: Geometry = SLIDE) -> list[Slide]:
    """The deck's slides, in order: the title slide, the entries' (long lists continued on
    further slides), the closing slide if any."""
    layout = _Layout(measure, g)
    content = document.content
    slides: list[Slide] = [_title_slide(document, layout)]
    entries = [(("handout", "slides", i), entry) for i, entry in enumerate(content.handout.slides)]
    if content.handout.closing is not None:
        entries.append((("handout", "closing"), content.handout.closing))
    for index, (path, entry) in enumerate(entries):
        slides += _entry_slides(document, layout, entry, index, path, len(slides) + 1)
    return slides


def _outline(content, body: Body, continued: bool) -> str:
    """A slide's full name: 'Prevention: gaps', 'ICAT member organizations (continued)'."""
    name = plain(body.title)
    if body.subtitle:
        sub = plain(body.subtitle)
        if body.tone and sub[:1].isupper() and sub[1:2].islower():  # a label word: 'Gaps'
            sub = sub[0].lower() + sub[1:]
        name += f": {sub}"
    return f"{name} {plain(content.handout.labels.continued)}" if continued else name


def _presenters(document: Document) -> tuple[str | None, str | None]:
    """The title slide's presenters as one line, and the caption above them."""
    c, d = document.content, document.content.handout
    caption = d.labels.presenters
    if d.presenters is None:
        return None, None
    if isinstance(d.presenters, list):
        return " · ".join(d.presenters), caption
    name = d.presenters
    if name == "members" or name == "organizations" or name.startswith("organizations."):
        role = name.partition(".")[2] or ("member" if name == "members" else "")
        orgs = c.with_role(role) if role else c.organizations
        return " · ".join(md_escape(o.acronym) for o in orgs), caption or c.roles.get(role)
    return " · ".join(b.text for b in resolve(document, name).as_bullets()), caption


def footer_text(document: Document) -> str:
    """Every slide's footer: the event, the meeting it is part of (meeting.yaml) and the date."""
    from .dates import long_date
    d = document.content.handout
    meeting = document.content.meeting
    return " · ".join(t for t in (d.event, meeting.name if meeting else None,
                                  long_date(d.date, document.content.language)) if t)


def _title_slide(document: Document, layout: _Layout) -> Slide:
    """The first slide: the deck's title in a band, then its subtitle, the event, venue and
    date, and who presents."""
    from .dates import long_date
    g, content = layout.g, document.content
    d = content.handout
    subtitle = d.subtitle or (md_escape(content.subtitle) if content.subtitle else None)
    meeting = document.meeting_line(d.date)  # the meeting the side event is part of
    lines = (d.event, *((md_escape(meeting),) if meeting else ()),
             " · ".join(t for t in (d.venue, long_date(d.date, document.content.language)) if t))
    presenters, caption = _presenters(document)
    if layout.m.lines(d.title, g.body_width, g.cover_title_pt, True) > g.cover_title_lines:
        raise _fail(content, ("handout", "title"), "the title takes more than "
                    f"{g.cover_title_lines} lines on the title slide; shorten it")
    size = g.sizes[0]
    height = sum(layout.block(line, g.body_width, size) for line in lines)
    if subtitle:
        height += layout.block(subtitle, g.body_width, g.smaller(size), True) + g.head_gap
    if presenters:
        height += g.head_gap + layout.block(presenters, g.body_width, size)
        if caption:
            height += layout.block(caption, g.body_width, g.smaller(size), True)
    if height > g.body_bottom - g.cover_top + 1e-6:
        raise _fail(content, ("handout", "presenters") if presenters else ("handout", "subtitle"),
                    "the title slide's text does not fit; shorten the subtitle or the presenters")
    return Slide(number=1, entry=-1, title=d.title, subtitle=subtitle, tone=None, continued=False, intro=None,
                 statement=False, caption=caption if presenters else None, columns=((),), plain=False,
                 footnote=None, notes=(), size=size, head_height=0.0, footnote_height=0.0, kind="title",
                 lines=lines, presenters=presenters, outline=plain(d.title))


def _entry_slides(document: Document, layout: _Layout, entry: Entry, index: int, path: tuple,
                  number: int) -> list[Slide]:
    """The slides of one entry of the deck, numbered from number."""
    g, measure, content = layout.g, layout.m, document.content
    slides: list[Slide] = []
    if True:
        body = _entry_body(document, entry, path)
        _check_title(content, layout, body, path)
        foot_h = 0.0
        if body.footnote:
            lines = measure.lines(body.footnote, g.body_width, g.footnote_pt)
            if lines > g.footnote_lines:
                raise _fail(content, path + ("footnote",) if entry.footnote else path + ("source",),
                            f"the footnote takes {lines} lines on the slide; at most "
                            f"{g.footnote_lines} fit")
            foot_h = lines * g.footnote_pt * g.line_height + g.footnote_gap
        plan = _plan(content, layout, body, entry, path, g.sizes[-1], foot_h)
        for size in g.sizes[:-1]:  # larger text where it needs no extra slide
            try:
                larger = _plan(content, layout, body, entry, path, size, foot_h)
            except ContentError:
                continue
            if len(larger.parts) <= len(plan.parts):
                plan = larger
                break
        statement = bool(body.intro) and not body.bullets and not body.caption
        notes = _notes(document, entry, body)
        columns = min(body.columns, max(1, len(body.bullets)))
        for p, part in enumerate(plan.parts):
            # Every part keeps the entry's column widths, even where its last column is empty.
            cols = tuple(tuple(body.bullets[i] for i in column) for column in part)
            cols += ((),) * (columns - len(cols))
            # Every slide of the entry has its notes: the speaker sees them beside each.
            slides.append(Slide(
                number=number + len(slides), entry=index, title=body.title, subtitle=body.subtitle,
                tone=body.tone, continued=p > 0, intro=body.intro if p == 0 else None,
                statement=statement, caption=body.caption, columns=cols,
                plain=body.plain, footnote=body.footnote if p == 0 else None,
                notes=notes, size=plan.size,
                head_height=(plan.intro_h if p == 0 else 0.0) + plan.caption_h,
                footnote_height=foot_h if p == 0 else 0.0, outline=_outline(content, body, p > 0)))
        if body.figure is not None:
            slides.append(replace(_figure_slide(layout, body, index, number + len(slides), path, content),
                                  notes=notes, outline=_outline(content, body, False)))
    return slides


def _figure_slide(layout: _Layout, body: Body, index: int, number: int, path: tuple, content) -> Slide:
    """The slide of a section's picture, under the section's title, its caption below it."""
    g, figure = layout.g, body.figure
    caption_h = 0.0
    if figure.caption:
        lines = layout.m.lines(figure.caption, g.body_width, g.footnote_pt)
        if lines > g.footnote_lines:
            raise _fail(content, path + ("source",), f"the figure's caption takes {lines} lines on the "
                                                     f"slide; at most {g.footnote_lines} fit")
        caption_h = lines * g.footnote_pt * g.line_height + g.footnote_gap
    return Slide(number=number, entry=index, title=body.title, subtitle=body.subtitle, tone=body.tone,
                 continued=False, intro=None, statement=False, caption=None, columns=((),), plain=False,
                 footnote=figure.caption, notes=(), size=g.sizes[0], head_height=0.0,
                 footnote_height=caption_h, figure=figure, figure_height=g.body_height - caption_h)


def _check_title(content, layout: _Layout, body: Body, path: tuple) -> None:
    g = layout.g
    lines = layout.m.lines(body.title, g.body_width, g.title_pt, True)
    if lines > g.title_lines or (body.subtitle and
                                 lines * g.title_pt * g.title_line_height
                                 + g.subtitle_pt * g.title_line_height > g.title_box):
        raise _fail(content, path + ("title",), f"the title takes {lines} lines in the title bar; shorten it")
