"""The content model to the document tree: the outline and the data expanded once into nodes.

The tree is format-neutral, as docutils' doctree and Pandoc's AST are: sections, paragraphs,
lists, tables, boxes, quotes, figures and footnotes, whose text is inline spans, plus the few
data nodes a format may show in its own way (a key area's gaps beside its recommendations, an
address). Every renderer walks it with one function per node type and knows no section by
name; the contents page, the bookmarks, the Word headings and the slides' `sections.ID`
sources all come from it. Every node keeps the file and line it came from.

Markdown (markdown-it-py with GFM tables and mdit-py-plugins' footnotes) is read here, into
nodes, never into HTML. Every mistake of the outline is collected and raised at once.
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import unquote
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Iterator

from .inline import Span, literal, safe_url, spans, token_spans, typeset, typeset_spans, typography
from .model import Content, Organization, Section as SectionEntry, image_path_problem, slug
from .problems import ContentError, Location, Problem, format_path

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from .loader import RawContent

Inlines = tuple[Span, ...]
MAX_LEVEL = 3
# Ids the layouts use themselves: a section never takes one.
RESERVED_IDS = frozenset({"main", "toc", "toc-title", "notes", "notes-h", "cover",
                          "contents", "imprint", "back-cover"})


# -- nodes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    where: Location = field(default=Location("content"), compare=False, kw_only=True)


@dataclass(frozen=True)
class Paragraph(Node):
    text: Inlines
    role: str | None = None  # "cite": a publication's title set as a line of its own


@dataclass(frozen=True)
class Item(Node):
    text: Inlines
    children: tuple["Block", ...] = ()  # nested lists (and paragraphs of a loose item)


@dataclass(frozen=True)
class BulletList(Node):
    items: tuple[Item, ...]
    columns: int = 1
    tone: str | None = None      # "gaps" or "recommendations": coloured as such
    names: bool = False          # a list of organizations' names: kept together with its intro


@dataclass(frozen=True)
class OrderedList(Node):
    items: tuple[Item, ...]
    start: int = 1


@dataclass(frozen=True)
class Table(Node):
    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]
    caption: Inlines = ()
    align: tuple[str | None, ...] = ()     # per column: "left", "center", "right" or None
    row_headers: bool = False              # the first cell of each row heads it
    widths: tuple[float, ...] = ()         # relative column widths, when the data knows them


@dataclass(frozen=True)
class Box(Node):
    title: Inlines
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Quote(Node):
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Figure(Node):
    file: str          # as written, relative to the content folder
    alt: str
    caption: Inlines = ()


@dataclass(frozen=True)
class KeyArea(Node):
    """A key area's gaps beside its recommendations (stacked when too long to stand side by side)."""

    name: str
    gaps: tuple[Inlines, ...]
    recommendations: tuple[Inlines, ...]


@dataclass(frozen=True)
class Address(Node):
    intro: Inlines
    lines: tuple[Inlines, ...]   # the first is the unit, set in bold


Block = Paragraph | BulletList | OrderedList | Table | Box | Quote | Figure | KeyArea | Address


@dataclass(frozen=True)
class Section(Node):
    id: str
    title: Inlines
    level: int
    starts_page: bool = False
    blocks: tuple[Block, ...] = ()
    sections: tuple["Section", ...] = ()
    sources: tuple[str, ...] = ()  # the data sources its body shows (a slide's default title)

    @property
    def plain_title(self) -> str:
        return plain(self.title)

    def walk(self) -> Iterator["Section"]:
        yield self
        for child in self.sections:
            yield from child.walk()


@dataclass(frozen=True)
class Footnote(Node):
    number: int
    blocks: tuple[Block, ...]

    @property
    def id(self) -> str:
        return f"fn-{self.number}"


@dataclass(frozen=True)
class Document:
    content: Content
    sections: tuple[Section, ...]
    footnotes: dict[int, Footnote]
    images: tuple[Figure, ...]          # every figure, for assets.py to read and check
    translation: object = None          # i18n.Applied of a translated edition: what fell back
    address: Address | None = None      # the contact address (contact.yaml), when it has one
    shows_contact: bool = False         # the outline shows it (`source: contact`)

    @property
    def contact(self) -> Address | None:
        """The back cover's address: the contact, when the outline shows it."""
        return self.address if self.shows_contact else None

    def meeting_line(self, beside=None) -> str | None:
        """The meeting the edition is for, as the report's cover and the slides name it:
        "6th ICAT meeting · Vienna · 13 December 2010" (meeting.yaml), or None. Its date is
        left out when it is the date `beside` it (the cover's, the slides')."""
        meeting = self.content.meeting
        if meeting is None:
            return None
        from .dates import long_date
        date = None if meeting.date == beside else long_date(meeting.date, self.content.language)
        return " · ".join(t for t in (meeting.name, meeting.venue, date) if t)

    def walk(self) -> Iterator[Section]:
        for section in self.sections:
            yield from section.walk()

    def section(self, id: str) -> Section | None:
        return next((s for s in self.walk() if s.id == id), None)


def plain(text: Inlines) -> str:
    """What a reader sees of inline text, footnote marks left out."""
    return "".join(span.text for span in text if span.note is None)


def iter_blocks(blocks) -> Iterator[Block]:
    """Every block, nested ones (in boxes, quotes and list items) included."""
    for block in blocks:
        yield block
        if isinstance(block, (Box, Quote)):
            yield from iter_blocks(block.blocks)
        elif isinstance(block, (BulletList, OrderedList)):
            for item in block.items:
                yield from iter_blocks(item.children)


def texts(blocks) -> Iterator[tuple[str, Inlines, Location]]:
    """Every text of blocks in reading order, as (level, spans, where): level "item" for a list
    item, a table's row cell or a key area's item, "text" for the rest. What `verify` looks
    for in the outputs and what the comparison of two editions compares."""
    for node in blocks:
        if isinstance(node, Paragraph):
            yield "text", node.text, node.where
        elif isinstance(node, (BulletList, OrderedList)):
            for item in node.items:
                yield "item", item.text, item.where
                yield from texts(item.children)
        elif isinstance(node, Table):
            if node.caption:
                yield "text", node.caption, node.where
            for cell in node.header:
                yield "text", cell, node.where
            for row in node.rows:
                for cell in row:
                    yield "item", cell, node.where
        elif isinstance(node, (Box, Quote)):
            if isinstance(node, Box):
                yield "text", node.title, node.where
            yield from texts(node.blocks)
        elif isinstance(node, Figure):
            yield "text", node.caption, node.where
        elif isinstance(node, KeyArea):
            for item in (*node.gaps, *node.recommendations):
                yield "item", item, node.where
        elif isinstance(node, Address):
            for line in (node.intro, *node.lines):
                yield "text", line, node.where


# -- building ----------------------------------------------------------------------------

def build(content: Content, raw: RawContent, problems: list[Problem] | None = None) -> Document:
    """The tree of the content, or ContentError with every problem of the outline. Given a
    list of problems, adds the outline's to it and returns the tree all the same."""
    builder = _Builder(content, raw)
    sections = builder.sections(content.report.sections, ("report", "sections"), 1)
    address = builder.address() if content.contact is not None else None
    builder.finish()
    if builder.problems and problems is None:
        raise ContentError(builder.problems)
    if problems is not None:
        problems += builder.problems
    shows = any("contact" in s.sources for s in _all(sections))
    return Document(content, tuple(sections), builder.footnotes, tuple(builder.figures),
                    address=address, shows_contact=shows)


def _all(sections):
    for section in sections:
        yield from section.walk()


def _role_width(roles) -> int:
    """The member table's role columns, in hundredths of its width: 18 each, fewer for many."""
    return min(18, 60 // max(1, len(roles)))


def _written_ids(entries) -> Iterator[str]:
    for entry in entries:
        if entry.id:
            yield entry.id
        yield from _written_ids(entry.sections)


def org_line(org: Organization) -> str:
    """'United Nations Population Fund (UNFPA)'; 'The World Bank' where the name holds the acronym."""
    if org.acronym.casefold() in org.name.casefold():
        return org.name
    return f"{org.name} ({org.acronym})"


class _Builder:
    def __init__(self, content: Content, raw: RawContent):
        self.c, self.raw = content, raw
        self.problems: list[Problem] = []
        self.footnotes: dict[int, Footnote] = {}
        self.figures: list[Figure] = []
        self.ids: dict[str, tuple] = {}
        self.used_files: set[str] = set()
        # The ids written in the outline, known before any is made from a title, so that a
        # made one never takes a written one's (a key area called "Contact", say).
        self.written: set[str] = set(_written_ids(content.report.sections))

    # -- problems --
    def problem(self, path: tuple, message: str, where: Location | None = None) -> None:
        self.problems.append(Problem(where or self.raw.locate(path), format_path(path), message))

    def where(self, path: tuple) -> Location:
        return self.raw.locate(path)

    # -- sections --
    def sections(self, entries: list[SectionEntry], path: tuple, level: int) -> list[Section]:
        out: list[Section] = []
        for i, entry in enumerate(entries):
            here = path + (i,)
            if level > MAX_LEVEL:
                self.problem(here, f"sections nest at most {MAX_LEVEL} levels deep; "
                                   "make this one a part of its parent's body or move it up")
                continue
            if entry.source is not None:
                out += self.sourced_sections(entry, here, level)
                continue
            title = self.inline(entry.title, here + ("title",))
            id = self.section_id(entry.id, plain(title), here)
            blocks = self.blocks(entry, here)
            children = self.sections(entry.sections, here + ("sections",), level + 1)
            names = tuple(b.source for b in entry.body if hasattr(b, "source"))
            out.append(Section(id, title, level, entry.starts_page, tuple(blocks), tuple(children),
                               names, where=self.where(here)))
        return out

    def section_id(self, given: str | None, title: str, path: tuple) -> str:
        if given:
            if given in RESERVED_IDS or given.startswith(("fn-", "fnref-")):
                self.problem(path + ("id",), f"the id '{given}' is used by the layout itself; choose another")
            elif given in self.ids:
                first = self.raw.locate(self.ids[given])
                self.problem(path + ("id",), f"the id '{given}' is already given to the section at {first}")
            self.ids.setdefault(given, path)
            return given
        base = slug(title)
        candidate, n = base, 2
        while not self.free(candidate):
            candidate, n = f"{base}-{n}", n + 1
        self.ids[candidate] = path
        return candidate

    def free(self, id: str) -> bool:
        """Whether a made id clashes with no other: sections' ids, the headings' (ID-h), the
        layout's own and the notes' (fn-N, fnref-N)."""
        taken = lambda name: name in self.ids or name in self.written or name in RESERVED_IDS
        return not (taken(id) or taken(f"{id}-h") or (id.endswith("-h") and taken(id[:-2]))
                    or id.startswith(("fn-", "fnref-")))

    def sourced_sections(self, entry: SectionEntry, path: tuple, level: int) -> list[Section]:
        if entry.source != "areas":
            self.unknown_source(path + ("source",), entry.source, ["areas"])
            return []
        if not self.c.areas:
            self.problem(path + ("source",), "`source: areas` needs the key areas in areas.yaml")
            return []
        self.used_files.add("areas")
        out = []
        for i, area in enumerate(self.c.areas):
            where = self.where(("areas", i))
            id = self.section_id(None, area.name, ("areas", i))
            out.append(Section(id, self.literal(area.name), level, blocks=(self.key_area(area, i),), where=where))
        return out

    # -- bodies --
    def blocks(self, entry: SectionEntry, path: tuple) -> list[Block]:
        out: list[Block] = []
        raw_body = self.raw_at(path + ("body",))
        for i, block in enumerate(entry.body):
            here = path + ("body",) if isinstance(raw_body, str) else path + ("body", i)
            if hasattr(block, "text"):
                text_path = here if isinstance(raw_body, str) else here + ("text",)
                out += self.markdown(block.text, text_path)
            elif hasattr(block, "box"):
                box = block.box
                out.append(Box(self.inline(box.title, here + ("box", "title")),
                               tuple(self.markdown(box.text, here + ("box", "text"))), where=self.where(here)))
            else:
                out += self.source(block, here)
        return out

    def raw_at(self, path: tuple):
        value = self.raw.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value

    # -- data sources --
    SOURCES = ("members", "organizations", "organizations.ROLE", "areas", "areas.NAME",
               "areas.NAME.gaps", "areas.NAME.recommendations", "contact", "links", "document.title")

    def unknown_source(self, path: tuple, name: str, names: list[str] | None = None) -> None:
        names = names or self.source_names()
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        self.problem(path, f"unknown source '{name}'{hint} (sources: {', '.join(self.SOURCES)})")

    def source_names(self) -> list[str]:
        names = ["members", "organizations", "areas", "contact", "links", "document.title"]
        names += [f"organizations.{role}" for role in self.c.roles]
        for area in self.c.areas:
            names += [f"areas.{area.name}", f"areas.{area.name}.gaps", f"areas.{area.name}.recommendations"]
        return names

    def source(self, block, path: tuple) -> list[Block]:
        name, c, where = block.source, self.c, self.where(path)
        spath = path + ("source",)
        if name == "document.title":
            return [Paragraph(self.inline(c.title, ("title",)), role="cite", where=where)]
        if name == "members" or name.startswith("organizations"):
            if not c.organizations:
                self.problem(spath, f"`source: {name}` needs organizations.yaml")
                return []
            self.used_files.add("organizations")
            if name == "members":
                return [self.members(block, path)]
            role = name.partition(".")[2]
            if role and role not in c.roles:
                self.unknown_source(spath, name)
                return []
            orgs = c.with_role(role) if role else list(c.organizations)
            if block.only:
                known = {o.acronym: o for o in orgs}
                orgs = []
                for j, acronym in enumerate(block.only):
                    if acronym in known:
                        orgs.append(known[acronym])
                    else:
                        close = difflib.get_close_matches(acronym, list(known), n=1, cutoff=0.5)
                        hint = f"; did you mean '{close[0]}'?" if close else ""
                        self.problem(path + ("only", j), f"'{acronym}' is not among the organizations "
                                                         f"of `{name}`{hint}")
            items = tuple(Item(self.literal(org_line(o)), where=where) for o in orgs)
            return [BulletList(items, columns=block.columns or 1, names=True, where=where)]
        if name == "areas" or name.startswith("areas."):
            if not c.areas:
                self.problem(spath, f"`source: {name}` needs areas.yaml")
                return []
            self.used_files.add("areas")
            if name == "areas":
                return [BulletList(tuple(Item(self.literal(a.name), where=where) for a in c.areas), where=where)]
            _, _, rest = name.partition(".")
            for which in ("gaps", "recommendations"):
                if rest.endswith("." + which):
                    area = self.area(rest[: -len(which) - 1])
                    if area is None:
                        break
                    index, found = area
                    items = getattr(found, which)
                    return [BulletList(tuple(Item(self.inline(t, ("areas", index, which, k)),
                                                  where=self.where(("areas", index, which, k)))
                                             for k, t in enumerate(items)), tone=which, where=where)]
            else:
                area = self.area(rest)
                if area is not None:
                    return [self.key_area(area[1], area[0])]
            self.unknown_source(spath, name)
            return []
        if name == "contact":
            if c.contact is None:
                self.problem(spath, "`source: contact` needs `contact` in contact.yaml")
                return []
            self.used_files.add("contact")
            return [self.address()]
        if name == "links":
            if not c.links:
                self.problem(spath, "`source: links` needs `links` in contact.yaml")
                return []
            self.used_files.add("contact")
            items = tuple(Item(tuple(Span(s.text, s.bold, s.italic, link.url) for s in
                                     self.inline(link.label, ("links", k, "label"))),
                               where=self.where(("links", k)))
                          for k, link in enumerate(c.links))
            return [BulletList(items, where=where)]
        self.unknown_source(spath, name)
        return []

    def area(self, name: str):
        for i, area in enumerate(self.c.areas):
            if name in (area.name, area.id, area.key) or name.casefold() == area.name.casefold():
                return i, area
        return None

    def key_area(self, area, index: int) -> KeyArea:
        lists = {which: tuple(self.inline(t, ("areas", index, which, k))
                              for k, t in enumerate(getattr(area, which)))
                 for which in ("gaps", "recommendations")}
        return KeyArea(typeset(area.name, self.c.language), lists["gaps"], lists["recommendations"], where=self.where(("areas", index)))

    def members(self, block, path: tuple) -> Table:
        c, labels = self.c, self.c.labels
        members = c.with_role("member") or list(c.organizations)
        roles = block.roles if block.roles is not None else [
            r for r in c.roles if r != "member" and any(r in o.roles for o in members)]
        for j, role in enumerate(roles):
            if role not in c.roles:
                self.problem(path + ("roles", j), f"unknown role '{role}' (not in `roles` of organizations.yaml)")
        roles = [r for r in roles if r in c.roles]
        header = (self.literal(labels.acronym), self.literal(labels.organization),
                  *(self.literal(c.roles[r]) for r in roles))
        rows = tuple((self.literal(o.acronym), self.literal(o.name),
                      *((self.literal(labels.yes) if r in o.roles else ()) for r in roles)) for o in members)
        caption = self.inline(block.caption, path + ("caption",)) if block.caption else ()
        return Table(header, rows, caption=caption, row_headers=True,
                     align=(None, None, *("center" for _ in roles)),
                     # A role column as wide as its header's longest word needs ("Contributed").
                     widths=(14, 86 - _role_width(roles) * len(roles), *(_role_width(roles) for _ in roles)),
                     where=self.where(path))

    def number(self, text: str) -> str:
        """A telephone number as it reads, left to right, also inside a right-to-left line:
        isolated (U+2066 ... U+2069), or the bidi algorithm shows '(+43-1) 26060-5687' as
        '5687-26060 (1-43+)' in Arabic. Every format's text engine keeps the isolate."""
        from .locales import script_of
        return f"\u2066{text}\u2069" if script_of(self.c.language).rtl else text

    def address(self) -> Address:
        k, c, labels = self.c.contact, self.c, self.c.labels
        lines = [self.literal(k.unit)]
        if k.organization:
            lines.append(self.literal(org_line(c.organization(k.organization))))
        lines += [self.literal(line) for line in k.address]
        if k.telephone:
            lines.append(self.literal(f"{labels.telephone} {self.number(k.telephone)}"))
        if k.fax:
            lines.append(self.literal(f"{labels.fax} {self.number(k.fax)}"))
        if k.email:
            lines.append((Span(f"{labels.email} "), Span(k.email, href=f"mailto:{k.email}")))
        intro = self.inline(k.intro.rstrip(":") + ":", ("contact", "intro"))
        return Address(intro, tuple(lines), where=self.where(("contact",)))

    # -- text --
    def inline(self, text: str, path: tuple) -> Inlines:
        """A data file's one-line text (the inline Markdown subset), typeset."""
        return spans(text, self.c.language)

    def literal(self, text: str | None) -> Inlines:
        """A name from a data file, shown as written but typeset (curly apostrophes)."""
        return literal(typeset(text, self.c.language) if text else text)

    def markdown(self, text: str, path: tuple) -> list[Block]:
        return _Markdown(self, text, path).blocks()

    def finish(self) -> None:
        """Warnings for content files that nothing uses."""
        import logging
        log = logging.getLogger(__name__)
        deck_names = set(_deck_sources(self.c.handout))
        for key, uses in (("organizations", ("members", "organizations")), ("areas", ("areas",)),
                          ("contact", ("contact", "links"))):
            present = self.raw.files.get(key)
            used_by_deck = any(n == u or n.startswith(u + ".") for n in deck_names for u in uses)
            if present and key not in self.used_files and not used_by_deck:
                log.warning("%s: nothing in report.yaml or handout.yaml uses `%s`", present, key)


def _deck_sources(deck) -> Iterator[str]:
    """Every source name the deck uses: its slides', intros', bullets' and notes'."""
    for slide in deck.slides:
        items = [*slide.bullets, *(i for b in slide.bullets for i in b.items), *slide.notes]
        if not isinstance(slide.intro, (str, type(None))):
            items.append(slide.intro)
        for name in (slide.source, *(i.source for i in items)):
            if name:
                yield name


@cache
def _parser(language: str = "en") -> "MarkdownIt":
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    # inline=False: `^[text]` (an inline note, with no label) stays text; notes are [^label].
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.use(footnote_plugin, inline=False)
    md.validateLink = lambda url: safe_url(url) or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url)
    # Curly quotes and apostrophes, dashes and ellipses, as the language sets them (inline.py).
    return typography(md, language)


_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


class _Markdown:
    """One Markdown text of the outline to blocks, its problems told to the builder."""

    def __init__(self, builder: _Builder, text: str, path: tuple):
        self.b, self.text, self.path = builder, text, path
        self.start = builder.raw.text_line(path)
        self.env: dict = {}
        self.tokens = _parser(builder.c.language.split("-")[0].lower()).parse(text, self.env)
        self.lines = text.splitlines()
        self.notes: dict[str, int] = {}  # label -> document-wide number
        self.used: set[str] = set()

    def at(self, token: "Token | None") -> Location:
        line = self.start.line + (token.map[0] if token is not None and token.map else 0)
        return Location(self.start.file, line)

    def problem(self, token, message: str) -> None:
        self.b.problem(self.path, message, self.at(token))

    def line_of(self, needle: str, token: "Token | None" = None) -> Location:
        """The line of the first occurrence of needle, within token's lines when given."""
        first, last = token.map if token is not None and token.map else (0, len(self.lines))
        for offset in range(first, min(last, len(self.lines))):
            if needle in self.lines[offset]:
                return Location(self.start.file, self.start.line + offset)
        return self.at(token)

    def blocks(self) -> list[Block]:
        body, notes = self.split()
        definitions = self.definitions(notes)
        blocks = self.parse_blocks(body, 0, len(body))[0]
        for label, (token, blocks_of) in definitions.items():
            if label not in self.used:
                self.problem(token, f"the footnote [^{label}] is defined but never referenced")
        # The footnote plugin drops a definition nothing references, and its tokens with it;
        # its label stays in env["footnotes"]["refs"] with the id -1.
        for key, id in self.env.get("footnotes", {}).get("refs", {}).items():
            label = key[1:]
            if id == -1 and label not in definitions:
                self.b.problem(self.path, f"the footnote [^{label}] is defined but never referenced",
                               self.line_of(f"[^{label}]:"))
        for label, number in self.notes.items():
            if label in definitions:
                token, blocks_of = definitions[label]
                self.b.footnotes[number] = Footnote(number, tuple(blocks_of), where=self.at(token))
        return blocks

    def split(self):
        """The body's tokens, and those of the footnote definitions after it."""
        for i, token in enumerate(self.tokens):
            if token.type == "footnote_block_open":
                return self.tokens[:i], self.tokens[i:]
        return self.tokens, []

    def definitions(self, tokens) -> dict:
        out, i = {}, 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "footnote_open":
                end = i + 1
                while tokens[end].type != "footnote_close":
                    end += 1
                inner = [t for t in tokens[i + 1:end] if t.type != "footnote_anchor"]
                first = next((t for t in inner if t.map), None)
                label = token.meta.get("label")
                out[label] = (first, self.parse_blocks(inner, 0, len(inner), in_note=True)[0])
                i = end
            i += 1
        return out

    def parse_blocks(self, tokens, i: int, end: int, in_note: bool = False,
                     close: str | None = None) -> tuple[list[Block], int]:
        out: list[Block] = []
        while i < end:
            token = tokens[i]
            kind = token.type
            if close and kind == close:
                return out, i + 1
            if kind == "heading_open":
                self.problem(token, "a heading inside a body; make it a sub-section "
                                    "(`sections:` with its own `title:`)")
                i = _skip(tokens, i)
            elif kind == "paragraph_open":
                inline = tokens[i + 1]
                out.append(self.paragraph(inline, token))
                i += 3
            elif kind in ("bullet_list_open", "ordered_list_open"):
                block, i = self.list(tokens, i, in_note)
                out.append(block)
            elif kind == "table_open":
                block, i = self.table(tokens, i)
                if block is not None:
                    out.append(block)
            elif kind == "blockquote_open":
                inner, i = self.parse_blocks(tokens, i + 1, end, in_note, "blockquote_close")
                out.append(Quote(tuple(inner), where=self.at(token)))
            elif kind in ("fence", "code_block"):
                out.append(Paragraph(literal(token.content.rstrip("\n")), where=self.at(token)))
                i += 1
            elif kind == "hr":
                i += 1
            else:
                i += 1
        return out, i

    def paragraph(self, inline: "Token", opening: "Token") -> Block:
        children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
        if len(children) == 1 and children[0].type == "image":
            return self.figure(children[0], opening)
        return Paragraph(self.spans(inline, opening), where=self.at(opening))

    def figure(self, token: "Token", opening: "Token") -> Figure:
        # markdown-it percent-encodes the address: "my chart.png" arrives as "my%20chart.png".
        src = unquote(str(token.attrs.get("src", "")))
        alt = "".join(c.content for c in token.children or []).strip()
        problem = image_path_problem(src)
        if problem:
            self.problem(opening, f"image '{src}': {problem}")
        if not alt:
            self.problem(opening, f"image '{src}' has no alternative text; write it between the "
                                  "brackets: ![what the picture shows](file.png)")
        caption = self.b.inline(token.attrs["title"], self.path) if token.attrs.get("title") else ()
        figure = Figure(src, alt, caption, where=self.at(opening))
        if not problem:
            self.b.figures.append(figure)
        return figure

    def list(self, tokens, i: int, in_note: bool) -> tuple[Block, int]:
        opening = tokens[i]
        ordered = opening.type == "ordered_list_open"
        close = "ordered_list_close" if ordered else "bullet_list_close"
        items, i = [], i + 1
        while tokens[i].type != close:
            item_open = tokens[i]  # list_item_open
            inner, i = self.parse_blocks(tokens, i + 1, len(tokens), in_note, "list_item_close")
            first = inner[0] if inner and isinstance(inner[0], Paragraph) else None
            items.append(Item(first.text if first else (), tuple(inner[1:] if first else inner),
                              where=self.at(item_open)))
        if ordered:
            start = int(opening.attrs.get("start", 1) or 1)
            return OrderedList(tuple(items), start, where=self.at(opening)), i + 1
        return BulletList(tuple(items), where=self.at(opening)), i + 1

    def table(self, tokens, i: int) -> tuple[Table | None, int]:
        opening = tokens[i]
        header: list[Inlines] = []
        rows: list[list[Inlines]] = []
        align: list[str | None] = []
        row: list[Inlines] | None = None
        i += 1
        while tokens[i].type != "table_close":
            token = tokens[i]
            if token.type == "tr_open":
                row = []
            elif token.type in ("th_open", "td_open"):
                style = token.attrs.get("style", "") or ""
                found = re.search(r"text-align:(\w+)", str(style))
                if token.type == "th_open":
                    align.append(found.group(1) if found else None)
                row.append(self.spans(tokens[i + 1], opening))
            elif token.type == "tr_close":
                if not header:
                    header = row
                else:
                    rows.append(row)
            i += 1
        self.check_cells(opening, len(header))
        return Table(tuple(header), tuple(tuple(r) for r in rows), align=tuple(align),
                     where=self.at(opening)), i + 1

    def check_cells(self, opening: "Token", columns: int) -> None:
        """GFM pads a short row and drops a long row's extra cells without a word: say so."""
        first, last = opening.map
        for offset in range(first, last):
            if offset == first + 1 or offset >= len(self.lines):
                continue
            line = self.lines[offset].strip()
            if not line:
                continue
            cells = _cells(line)
            if len(cells) != columns:
                row = "the header" if offset == first else f"row {offset - first - 1}"
                self.b.problem(self.path, f"{row} of the table has {len(cells)} cells; the table "
                                          f"has {columns} columns", Location(self.start.file, self.start.line + offset))

    def spans(self, inline: "Token", opening: "Token") -> Inlines:
        """A paragraph's or cell's inline tokens to spans, footnote references numbered."""
        def visit(token):
            kind = token.type
            if kind == "link_open":
                href = token.attrs.get("href")
                if href and not safe_url(href):
                    self.problem(opening, f"the link '{href}' is not a web address (https://...) or mailto:")
            elif kind == "footnote_ref":
                label = token.meta["label"]
                self.used.add(label)
                if label not in self.notes:
                    self.notes[label] = len(self.b.footnotes) + len(self.notes) + 1
                return (Span(str(self.notes[label]), note=self.notes[label]),)
            elif kind == "image":
                self.problem(opening, "an image must stand in a paragraph of its own")
                return ()
            elif kind in ("text", "code_inline"):
                for match in _UNDEFINED_NOTE.finditer(token.content):
                    self.b.problem(self.path, f"the footnote [^{match.group(1)}] is referenced but not "
                                              f"defined; add a line `[^{match.group(1)}]: its text`",
                                   self.line_of(match.group(0), opening))
            return None
        return tuple(typeset_spans(token_spans(inline.children or [], visit), self.b.c.language))


def _skip(tokens, i: int) -> int:
    """Past the closing token of the block that opens at i."""
    depth = 0
    while i < len(tokens):
        depth += tokens[i].nesting
        i += 1
        if depth == 0:
            return i
    return i


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return re.split(r"(?<!\\)\|", line)
