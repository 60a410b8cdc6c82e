"""The document tree to a Word document.

The tree (tree.py) is walked once, one function per node type (BLOCKS), each adding to the
container it is given: the body, a table cell or a footnote. No section is known by name:
headings, the contents, lists, tables, boxes and notes all come from the tree. Every look is a
named style (built-in ones customised from the theme), so a Word user can keep editing the
file with the styles pane; the little raw XML python-docx cannot write lives in ooxml.py, and
the footnotes part in docx_footnotes.py.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass, replace

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from ..engines.xpath import compile_xpaths
from ..inline import literal, plain as plain_text, spans
from ..job import Job
from ..locales import Script, office_language, script_of
from ..ooxml_zip import stable_zip
from ..dates import long_date
from ..theme import Theme
from ..tree import (Address, Box, BulletList, Figure, Inlines, Item, KeyArea, OrderedList,
                    Paragraph, Quote, Section, Table, org_line, plain)
from . import docx_pages, ooxml
from .docx_footnotes import TEXT_STYLE as FOOTNOTE_TEXT, Footnotes

log = logging.getLogger(__name__)

GENERATOR = "icat-reports"
TOC_LEVELS = 2            # Heading 1 and 2 are listed in the table of contents
PAPER_MM = {"A4": (210, 297), "A5": (148, 210), "Letter": (215.9, 279.4)}  # theme page.size
HEADER_DISTANCE = Mm(12)  # from the page edge; inside the theme's top and bottom margins
FOOTER_DISTANCE = Mm(10)
COVER_BAND_MM = 52       # the cover's white band at the top, holding the publisher's block
COVER_TOP_MM = 76        # where the cover's title starts
LOGO_MM = 16             # the height of the publisher's logo on the cover
PLACEHOLDER = "0"        # a digit of the contents' page numbers before the layout is known
KEEP_WHOLE_ROWS = 20      # a table of at most this many rows is kept on one page
LIST_DEPTH = 3            # Word's list styles: "List Bullet", "List Bullet 2", "List Bullet 3"
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT}
# Characters XML 1.0 cannot hold (control characters, lone surrogates): dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Text without the characters an XML file cannot hold."""
    return _NOT_XML.sub("", text)


@dataclass
class Heading:
    text: str
    level: int
    bookmark: str
    paragraph: object
    page: object = None  # the run of its contents entry's page number


def render(job: Job) -> dict[str, bytes]:
    """The .docx, its contents' page numbers those of its own layout (docx_pages.py)."""
    compile_xpaths("docx")
    report = Report(job)
    document = report.build()
    data = save(document, job)
    pages, width = None, 2
    for _ in range(2):  # again if the numbers are wider than their placeholders (narrower
        # ones leave the entries more room: they cannot make a title wrap onto a new line)
        pages = docx_pages.heading_pages(data, [h.bookmark for h in report.headings])
        if not pages or len(str(max(pages.values()))) <= width:
            break
        width = len(str(max(pages.values())))
        report.page_numbers({h.bookmark: PLACEHOLDER * width for h in report.headings})
        data = save(document, job)
    missing = [h.text for h in report.headings if h.bookmark not in (pages or {})]
    if pages and missing:
        log.warning("no page found for %d headings of the Word contents (%s)", len(missing),
                    missing[0])
    report.page_numbers({b: str(n) for b, n in (pages or {}).items()})
    return {f"{job.report_name}.docx": save(document, job)}


def save(document, job: Job) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue(), job.built)


def page_image(width_mm: float, height_mm: float, bands, px_per_mm: int = 2) -> bytes:
    """A PNG of horizontal bands: [(top_mm, "RRGGBB"), ...], each down to the next one's top."""
    width, height = int(width_mm * px_per_mm), int(height_mm * px_per_mm)
    rows = []
    for y in range(height):
        color = next(c for top, c in reversed(bands) if top * px_per_mm <= y)
        rows.append(b"\0" + bytes.fromhex(color) * width)
    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


# -- styles ---------------------------------------------------------------------------

def list_style(kind: str, depth: int) -> str:
    """Word's list style for a nesting depth: "List Bullet", "List Bullet 2", ..."""
    depth = min(depth, LIST_DEPTH - 1)
    return kind if depth == 0 else f"{kind} {depth + 1}"


def box_look(target, theme: Theme, start: str = "left") -> None:
    """A box's fill and border on a style or paragraph: a bar in the accent colour on the
    side lines start on (w:pBdr's sides are the page's, in right-to-left paragraphs too),
    the other sides in the fill's colour (padding)."""
    end = "right" if start == "left" else "left"
    ooxml.set_shading(target, theme.hex("accent_light"))
    ooxml.set_border(target, start, theme.hex("accent"), 24, 8)
    for side in ("top", "bottom", end):
        ooxml.set_border(target, side, theme.hex("accent_light"), 4, 6)

def _script_font(theme: Theme, script: str) -> str:
    """The fallback font named for a script (Word has one font slot per script)."""
    return next((f for f in theme.fallback_fonts if script in f), theme.fonts["body"])


def define_styles(document, theme: Theme, text_width, script: Script | None = None) -> None:
    """Customise the built-in styles from the theme and add the few the report needs; in the
    direction and script of the document's language (script_of): right to left for Arabic,
    without italics for Chinese."""
    styles = document.styles
    color = lambda name: RGBColor.from_string(theme.hex(name))
    start = script.start if script is not None else "left"  # the side of the accent bars
    body, small = theme.sizes["body_pt"], theme.sizes["small_pt"]

    # Fonts are set once, on the document defaults; styles inherit them.
    ooxml.drop_theme_fonts(styles)
    defaults = ooxml.document_defaults(document)
    ooxml.set_fonts(defaults, theme.fonts["body"], _script_font(theme, "CJK"),
                    _script_font(theme, "Arabic"))
    if script is not None and script.cjk:
        ooxml.set_east_asian_hint(defaults)

    def paragraph_style(name, *, base=None, size=None, bold=None, italic=None, color_name=None,
                        before=None, after=None, keep_next=None, priority=None):
        try:
            style = styles[name]
        except KeyError:
            style = ooxml.add_style(styles, name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles[base or "Normal"]
            style.next_paragraph_style = styles["Normal"]
        if base:
            style.base_style = styles[base]
        font, fmt = style.font, style.paragraph_format
        if size is not None:
            font.size = Pt(size)
        if bold is not None:
            font.bold = bold
        if italic is not None:
            font.italic = italic
        if color_name:
            font.color.rgb = color(color_name)
        if before is not None:
            fmt.space_before = Pt(before)
        if after is not None:
            fmt.space_after = Pt(after)
        if keep_next is not None:
            fmt.keep_with_next = keep_next
        if priority is not None:
            ooxml.set_style_meta(style, priority=priority)
        return style

    normal = paragraph_style("Normal", size=body, color_name="ink", after=6)
    normal.paragraph_format.line_spacing = 1.2

    # The cover's title and subtitle, set on the primary colour.
    title = paragraph_style("Title", size=28, bold=True, color_name="on_primary", before=0, after=14)
    title.paragraph_format.line_spacing = 1.1
    ooxml.clear_borders(title)
    ooxml.set_border(title, start, theme.hex("accent"), 36, 14)
    subtitle = paragraph_style("Subtitle", size=15, italic=False, color_name="on_primary", after=24)
    ooxml.clear_numbering(subtitle)
    ooxml.set_border(subtitle, start, theme.hex("accent"), 36, 14)

    h1 = paragraph_style("Heading 1", size=18, bold=True, color_name="primary", before=0, after=12)
    # A section starts a page where the outline says so (starts_page), set on its heading.
    ooxml.set_border(h1, "bottom", theme.hex("accent"), 8, 4)
    paragraph_style("Heading 2", size=13, bold=True, color_name="primary", before=16, after=6)
    paragraph_style("Heading 3", size=11, bold=True, color_name="primary", before=12, after=4)
    for name in ("Heading 1 Char", "Heading 2 Char", "Heading 3 Char"):
        styles[name].font.color.rgb = color("primary")
    for name in ("Title Char", "Subtitle Char"):
        styles[name].font.color.rgb = color("on_primary")

    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
        rpr = styles[name].element.get_or_add_rPr()
        ooxml.set_fonts(rpr, theme.fonts["heading"], _script_font(theme, "CJK"),
                        _script_font(theme, "Arabic"))
        ooxml.clear_character_spacing(rpr)  # the template letter-spaces Title and Subtitle

    # Based on Heading 1 (its rule) but outside the outline, so not listed in itself; the
    # contents start the body's section, on the page after the imprint.
    paragraph_style("TOC Heading", priority=39).paragraph_format.page_break_before = False
    for level in range(1, TOC_LEVELS + 1):
        toc = paragraph_style(f"toc {level}", bold=level == 1, before=6 if level == 1 else 0,
                              after=2, priority=39)
        ooxml.make_builtin(toc, f"TOC{level}")
        toc.paragraph_format.left_indent = Mm(6 * (level - 1))
        toc.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT,
                                                    WD_TAB_LEADER.DOTS)

    for kind in ("List Bullet", "List Number", "List Continue"):
        for depth in range(LIST_DEPTH):
            name = list_style(kind, depth)
            paragraph_style(name, after=3, priority=36)
            ooxml.set_contextual_spacing(styles[name], False)
    paragraph_style("Caption", size=small, bold=False, italic=True, color_name="muted",
                              before=6, after=4, keep_next=True, priority=35)

    header = paragraph_style("Header", size=small, color_name="muted")
    footer = paragraph_style("Footer", size=small, color_name="muted")
    for style in (header, footer):
        style.paragraph_format.tab_stops.clear_all()
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ooxml.set_border(header, "bottom", theme.hex("rule"), 4, 4)

    if "Hyperlink" not in [s.name for s in styles]:
        ooxml.add_style(styles, "Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link = styles["Hyperlink"]
    ooxml.make_builtin(link, "Hyperlink")
    link.font.color.rgb = color("accent")
    link.font.underline = True
    ooxml.set_style_meta(link, priority=99, quick=False)

    # The report's own styles, each used for one kind of block. The cover: the publisher's
    # block on a white band, the rest on the primary colour (a page-size picture behind).
    paragraph_style("Cover Publisher", size=11, color_name="primary", after=0, priority=20)
    acronym = ooxml.add_style(styles, "Cover Acronym", WD_STYLE_TYPE.CHARACTER)
    acronym.base_style = styles["Default Paragraph Font"]
    acronym.font.size, acronym.font.bold = Pt(26), True
    series = paragraph_style("Cover Series", size=12, bold=True, color_name="on_primary",
                             after=10, priority=20)
    series.font.all_caps = True
    paragraph_style("Cover Details", size=11, color_name="on_primary", after=2, priority=20)
    # The imprint (the page after the cover) and the back cover.
    paragraph_style("Imprint", size=small, color_name="ink", after=6, priority=20)
    imprint_small = paragraph_style("Imprint Details", base="Imprint", color_name="muted",
                                    after=0, priority=20)
    imprint_small.paragraph_format.tab_stops.add_tab_stop(Mm(32))
    paragraph_style("Back Cover", size=11, color_name="on_primary", after=6, priority=20)
    paragraph_style("Publication Title", italic=True, color_name="primary", after=8, priority=20)
    paragraph_style("Table Text", size=small, after=0, priority=20).paragraph_format.line_spacing = 1.1
    paragraph_style("Table Heading", base="Table Text", bold=True, color_name="primary",
                    priority=20).paragraph_format.keep_with_next = True
    for name in ("gaps", "recommendations"):
        style = paragraph_style(f"{name.capitalize()} Heading", base="Table Heading",
                                color_name=name, priority=20)
        style.font.all_caps = True
    paragraph_style("Address", after=8, priority=20)
    quote = paragraph_style("Quote", italic=True, color_name="muted", before=6, after=6, priority=29)
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Mm(10)
    paragraph_style("Figure", before=6, after=2, keep_next=True, priority=20)
    # A box: its title and text share one fill and one border, so Word draws them as a block.
    box_text = paragraph_style("Box Text", after=3, priority=20)
    box_title = paragraph_style("Box Title", bold=True, color_name="primary", before=6, after=4,
                                keep_next=True, priority=20)
    box_title.next_paragraph_style = box_text
    for style in (box_title, box_text):
        box_look(style, theme, start)
    Footnotes(document).define_styles(small)
    definition = paragraph_style("Definition", after=2, priority=20)
    definition.paragraph_format.tab_stops.add_tab_stop(Mm(40))

    for style in styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            ooxml.match_complex_script(style)

    ooxml.add_table_style(styles, "Report Table", border=theme.hex("rule"),
                          header_fill=theme.hex("accent_light"), header_color=theme.hex("primary"),
                          cell_margin=Mm(2.5), size_pt=small)
    if script is not None and script.rtl:
        ooxml.set_right_to_left(document)
    if script is not None and script.cjk:
        ooxml.replace_italics(styles, "Emphasis")


# -- where blocks go ---------------------------------------------------------------------

class _Cell:
    """A table cell as a container: its first paragraph is the one every new cell holds."""

    def __init__(self, cell):
        self.cell, self.fresh = cell, True

    def add_paragraph(self, style=None):
        if self.fresh:
            self.fresh = False
            paragraph = self.cell.paragraphs[0]
            paragraph.style = style
            return paragraph
        return self.cell.add_paragraph(style=style)

    def add_table(self, rows: int, cols: int, width):
        self.fresh = False
        return self.cell.add_table(rows, cols)


@dataclass(frozen=True)
class Place:
    """Where blocks go and how their text looks there: the body, a cell or a footnote."""

    container: object            # has add_paragraph(style=) and add_table(rows, cols, width)
    text: str = "Normal"         # the paragraph style of plain text here
    depth: int = 0               # list nesting
    boxed: bool = False          # inside a box: list items carry the box's fill and border

    def paragraph(self, style: str | None = None):
        return self.container.add_paragraph(style=style or self.text)

    def table(self, rows: int, cols: int, width):
        if isinstance(self.container, WordDocument):
            return self.container.add_table(rows, cols)
        return self.container.add_table(rows, cols, width)


# -- the document ---------------------------------------------------------------------

class Report:
    """One Word document built from one job's document tree."""

    def __init__(self, job: Job):
        self.job, self.c, self.labels, self.theme = job, job.content, job.content.labels, job.theme
        self.tree = job.document
        self.document = docx.Document()
        self.footnotes = Footnotes(self.document)
        self.headings: list[Heading] = []
        self.script = script_of(self.c.language)

    def build(self):
        page = self.theme.page
        section = self.document.sections[0]
        # python-docx's template is US Letter: the theme's paper and margins, as in the PDF.
        section.page_width, section.page_height = (Mm(side) for side in PAPER_MM[page["size"]])
        section.top_margin, section.bottom_margin = Mm(page["margin_top_mm"]), Mm(page["margin_bottom_mm"])
        section.left_margin, section.right_margin = Mm(page["margin_left_mm"]), Mm(page["margin_right_mm"])
        section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
        self.text_width = Emu(section.page_width - section.left_margin - section.right_margin)

        define_styles(self.document, self.theme, self.text_width, self.script)
        ooxml.remember_style_ids(self.document)
        # Word's culture for the slots the language's script uses (w:bidi for Arabic,
        # w:eastAsia for Chinese); the document's own tag in w:val, which checkers read.
        culture = office_language(self.c.language)
        ooxml.set_language(self.document, self.c.language,
                           complex_script=culture if self.script.complex else None,
                           east_asian=culture if self.script.cjk else None)
        self.decimal = ooxml.add_decimal_numbering(self.document)
        self.properties()

        # Four sections, each starting a page: the cover, the imprint, the body (the only
        # one with a header and footer) and, when the outline has a contact, the back cover.
        body = Place(self.document)
        self.cover()
        self.document.add_section(WD_SECTION.NEW_PAGE)
        self.imprint()
        self.document.add_section(WD_SECTION.NEW_PAGE)
        toc_heading = self.document.add_paragraph(style="TOC Heading")
        self.write(toc_heading, spans(self.labels.contents))
        for node in self.tree.sections:
            self.section(node, body)
        address = self.tree.contact  # the back cover, when the outline shows the contact
        if address is not None:
            self.document.add_section(WD_SECTION.NEW_PAGE)
            self.back_cover(address)
        self.table_of_contents(toc_heading)
        self.notes()
        self.page_setup()
        ooxml.modern_layout(self.document)
        return self.document

    def page_setup(self) -> None:
        """The cover's margins make room for its publisher's block and date; the imprint sits
        at the foot of its page; only the body has a header and footer."""
        cover, imprint, body, *back = self.document.sections
        cover.top_margin, cover.bottom_margin = Mm(COVER_TOP_MM), Mm(20)
        for section in (cover, imprint, *back):
            self.no_header_footer(section)
        self.header_footer(body)
        if self.script.rtl:
            for section in self.document.sections:
                ooxml.set_section_right_to_left(section)

    # -- inline text ---------------------------------------------------------------------

    def write(self, paragraph, text: Inlines, style: str | None = None, parent=None):
        """Inline spans as runs: links become real hyperlinks (one per run of spans with the
        same target), notes real footnote references."""
        parent = paragraph._p if parent is None else parent
        link, target = None, None
        for span in text:
            if span.note is not None:
                self.footnotes.reference(paragraph, span.note, parent)
                link = target = None
                continue
            if span.href and span.href != target:
                link, target = ooxml.add_hyperlink(paragraph, url=span.href), span.href
            elif not span.href:
                link = target = None
            text = clean(span.text)
            # In right-to-left text, each Latin word or number a run of its own, left to right.
            pieces = ooxml.direction_pieces(text) if self.script.rtl else [(text, False)]
            for piece, left_to_right in pieces:
                run = self.run(link if span.href else parent, paragraph, piece, span,
                               "Hyperlink" if span.href else style)
                if left_to_right:
                    ooxml.set_left_to_right(run)
        return paragraph

    def run(self, parent, paragraph, text: str, span, style: str | None):
        """One run of a span's text, bold and italic as the script sets them: with their
        complex-script twins (w:bCs, w:iCs) for Arabic; in CJK, emphasis by weight, never
        slanted (see ooxml.replace_italics)."""
        run = ooxml.add_run(parent, paragraph, text)
        run.style = style
        if span.bold:
            run.bold = True
            if self.script.complex:
                run.font.cs_bold = True
        if span.italic:
            if self.script.cjk:
                run.bold = True
            else:
                run.italic = True
                if self.script.complex:
                    run.font.cs_italic = True
        return run

    def text(self, words: str, style: str | None = None):
        """A fixed word of the layout (a label, possibly with inline Markdown) as a paragraph."""
        return self.write(self.document.add_paragraph(style=style), spans(words))

    # -- sections and blocks -------------------------------------------------------------

    def section(self, node: Section, place: Place) -> None:
        heading = place.paragraph(f"Heading {node.level}")
        self.write(heading, node.title)
        if node.starts_page:
            heading.paragraph_format.page_break_before = True
        if node.level <= TOC_LEVELS:
            self.bookmark(heading, node.plain_title, node.level)
        self.blocks(node.blocks, place)
        for child in node.sections:
            self.section(child, place)

    def bookmark(self, heading, text: str, level: int) -> None:
        number = len(self.headings) + 1
        bookmark = f"_Toc{number:04d}"
        ooxml.add_bookmark(heading, bookmark, number)
        self.headings.append(Heading(clean(text), level, bookmark, heading))

    def blocks(self, blocks, place: Place):
        """Each block by its node type; the last paragraph added (or None)."""
        last = None
        for block in blocks:
            if isinstance(block, BulletList) and block.names and last is not None:
                last.paragraph_format.keep_with_next = True  # the intro stays with the names
            last = BLOCKS[type(block)](self, block, place)
        return last

    def paragraph(self, node: Paragraph, place: Place):
        style = "Publication Title" if node.role == "cite" else None
        return self.write(place.paragraph(style), node.text)

    def items(self, items: tuple[Item, ...], place: Place, style: str, number=None):
        paragraphs = []
        for item in items:
            paragraph = place.paragraph(style)
            if number is not None:
                ooxml.set_numbering(paragraph, number, min(place.depth, ooxml.NUMBER_LEVELS - 1))
            if place.boxed:
                box_look(paragraph, self.theme, self.script.start)
            self.write(paragraph, item.text)
            paragraphs.append(paragraph)
            inner = replace(place, depth=place.depth + 1, text=list_style("List Continue", place.depth))
            self.blocks(item.children, inner)
        return paragraphs

    def bullet_list(self, node: BulletList, place: Place):
        paragraphs = self.items(node.items, place, list_style("List Bullet", place.depth))
        if node.names:  # a short list of names, kept on one page
            for paragraph in paragraphs[:-1]:
                paragraph.paragraph_format.keep_with_next = True
        return paragraphs[-1] if paragraphs else None

    def ordered_list(self, node: OrderedList, place: Place):
        """Real Word numbering: a list of its own (w:num) restarting at its first number."""
        level = min(place.depth, ooxml.NUMBER_LEVELS - 1)
        number = ooxml.add_list_numbering(self.document, self.decimal, node.start, level)
        paragraphs = self.items(node.items, place, list_style("List Number", place.depth), number)
        return paragraphs[-1] if paragraphs else None

    def table(self, node: Table, place: Place):
        """A 'Report Table' whose header row repeats on every page, its caption before it.

        Cells are filled row by row through row.cells: table.cell(i, j) is quadratic.
        """
        if node.caption:
            self.write(place.paragraph("Caption"), node.caption)
        columns = len(node.header)
        widths = self.widths(node.widths, columns)
        title = plain(node.caption) or ", ".join(plain(cell) for cell in node.header)
        table = self.new_table(place, 1 + len(node.rows), widths, title, node.row_headers)
        align = [ALIGN.get(a) for a in node.align] + [None] * columns
        keep = len(node.rows) <= KEEP_WHOLE_ROWS  # short enough for one page: keep it whole
        for index, (row, values) in enumerate(zip(table.rows, [node.header, *node.rows])):
            for cell, value, width, alignment in zip(row.cells, values, widths, align):
                cell.width = width
                paragraph = cell.paragraphs[0]
                paragraph.style = "Table Heading" if index == 0 else "Table Text"
                if alignment is not None:
                    paragraph.alignment = alignment
                if keep and index < len(node.rows):
                    paragraph.paragraph_format.keep_with_next = True
                self.write(paragraph, value)
        return None

    def widths(self, relative: tuple[float, ...], columns: int) -> list[Emu]:
        """Column widths filling the text width: in the data's proportions, or equal."""
        if len(relative) != columns or not all(w > 0 for w in relative):
            relative = (1,) * columns
        total = sum(relative)
        return [Emu(int(self.text_width * w / total)) for w in relative]

    def new_table(self, place: Place, rows: int, widths: list[Emu], title: str, first_column: bool):
        table = place.table(rows, len(widths), self.text_width)
        table.style = "Report Table"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        if self.script.rtl:
            ooxml.set_table_right_to_left(table)  # its first column at the right
        ooxml.table_look(table, first_row=True, first_column=first_column)
        ooxml.set_table_title(table, clean(title))  # what screen readers announce
        for column, width in zip(table.columns, widths):
            column.width = width
        for index, row in enumerate(table.rows):
            if index == 0:
                ooxml.repeat_header(row)
            else:
                ooxml.cant_split(row)
        return table

    def key_area(self, node: KeyArea, place: Place):
        labels = self.labels
        gaps, recommendations = (tuple(Item(text) for text in texts)
                                 for texts in (node.gaps, node.recommendations))
        if not self.theme.side_by_side(node.gaps, node.recommendations):
            # Too long for one table row (a row cannot split); as in the PDF, stack them.
            for label, style, items in ((labels.gaps, "Gaps Heading", gaps),
                                        (labels.recommendations, "Recommendations Heading", recommendations)):
                self.write(place.paragraph(style), spans(label))
                last = self.items(items, place, "List Bullet")[-1]
            return last
        # Gaps and recommendations side by side, as in the PDF.
        widths = [Mm(round(self.text_width.mm / 2))] * 2
        table = self.new_table(place, 2, widths, node.name, first_column=False)
        header, body = table.rows
        for cell, label, style, items, width in zip(
                header.cells, (labels.gaps, labels.recommendations),
                ("Gaps Heading", "Recommendations Heading"), (gaps, recommendations), widths):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = style
            self.write(paragraph, spans(label))
        for cell, items, width in zip(body.cells, (gaps, recommendations), widths):
            cell.width = width
            self.items(items, replace(place, container=_Cell(cell), depth=0), "List Bullet")
        return None

    def address(self, node: Address, place: Place):
        self.write(place.paragraph(), node.intro)
        address = place.paragraph("Address")
        for index, line in enumerate(node.lines):
            if index:
                address.add_run().add_break()
            self.write(address, line, style="Strong" if index == 0 else None)  # the unit
        return address

    def box(self, node: Box, place: Place):
        self.write(place.paragraph("Box Title"), node.title)
        return self.blocks(node.blocks, replace(place, text="Box Text", boxed=True))

    def quote(self, node: Quote, place: Place):
        return self.blocks(node.blocks, replace(place, text="Quote"))

    def figure(self, node: Figure, place: Place):
        paragraph = place.paragraph("Figure")
        shape = paragraph.add_run().add_picture(io.BytesIO(self.job.images[node.file]))
        if shape.width > self.text_width:  # no wider than the text
            shape.height = Emu(int(shape.height * self.text_width / shape.width))
            shape.width = self.text_width
        ooxml.set_picture_alt(shape, clean(node.alt))
        if not node.caption:
            paragraph.paragraph_format.keep_with_next = False
            return paragraph
        caption = place.paragraph("Caption")
        caption.paragraph_format.keep_with_next = False  # it follows its figure
        return self.write(caption, node.caption)

    def notes(self) -> None:
        """Every footnote of the tree, as a real Word footnote."""
        for number, note in sorted(self.tree.footnotes.items()):
            self.footnotes.add(number, lambda container, note=note: self.blocks(
                note.blocks, Place(container, text=FOOTNOTE_TEXT)))

    # -- file properties, header and footer ------------------------------------------------

    def properties(self):
        c, built = self.c, self.job.built
        # Core properties are written as UTC; python-docx does not convert.
        built = (built.astimezone(dt.timezone.utc) if built.tzinfo else built).replace(tzinfo=None)
        author = clean(f"{c.publisher_name} ({c.publisher})")
        props = self.document.core_properties
        props.title = clean(plain_text(c.title))
        props.subject = clean(plain_text(c.subtitle or ""))
        props.author = author
        props.last_modified_by = author
        props.keywords = clean("; ".join(c.keywords))  # the separator of Word's and Windows' Tags field
        props.comments = clean(plain_text(c.description))  # replaces "generated by python-docx"
        props.category = clean(c.publisher)
        props.language = c.language
        props.version = clean(self.job.version)
        props.revision = 1
        props.created = props.modified = props.last_printed = built
        ooxml.replace_template_leftovers(self.document, GENERATOR, clean(c.publisher_name))

    @staticmethod
    def no_header_footer(section):
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            part.paragraphs[0].style = "Normal"  # not Header: its rule would show

    def header_footer(self, section):
        section.header.is_linked_to_previous = section.footer.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.style = "Header"
        self.write(header, spans(self.c.running_title))
        footer = section.footer.paragraphs[0]
        footer.style = "Footer"
        before, between, after = self.labels.page_parts()
        self.write(footer, literal_space(before))
        ooxml.add_field(footer, "PAGE", "1")
        self.write(footer, literal_space(between))
        ooxml.add_field(footer, "NUMPAGES", "1")
        self.write(footer, literal_space(after))

    # -- the cover, the imprint, the contents and the back cover ---------------------------

    def background(self, paragraph, bands) -> None:
        """The page's design behind its text: bands of the theme's colours, edge to edge."""
        section = self.document.sections[0]
        width, height = section.page_width, section.page_height
        image = page_image(width.mm, height.mm, [(top, self.theme.hex(name)) for top, name in bands])
        ooxml.add_page_background(paragraph, io.BytesIO(image), width, height)

    def cover(self):
        """The publisher's block (logo, acronym, name) on a white band; the series and number,
        the title and subtitle on the primary colour; the date and coordinator at its foot."""
        c, section = self.c, self.document.sections[0]
        left = Mm(self.theme.page["margin_left_mm"])
        band = COVER_BAND_MM
        publisher = self.document.add_paragraph(style="Cover Publisher")
        if c.logo:
            shape = publisher.add_run().add_picture(io.BytesIO(self.job.images[c.logo.file]),
                                                    height=Mm(LOGO_MM))
            if shape.width > self.text_width / 2:
                shape.height = Emu(int(shape.height * self.text_width / 2 / shape.width))
                shape.width = Emu(self.text_width // 2)
            ooxml.set_picture_alt(shape, clean(plain_text(c.logo.alt)))
            publisher.add_run("  ")
        self.write(publisher, literal(clean(c.publisher)), style="Cover Acronym")
        name = self.write(self.document.add_paragraph(style="Cover Publisher"), spans(c.publisher_name))
        for paragraph in (publisher, name):
            ooxml.set_frame(paragraph, x=left, y=Mm(16), width=self.text_width)
        if c.series or c.number:
            first = self.text(" ".join(clean(part) for part in (c.series, c.number) if part),
                              "Cover Series")
        title = self.text(c.title, "Title")
        # Anchored in the first paragraph of the text's flow, not in the publisher's frame.
        self.background(first if c.series or c.number else title,
                        [(0, "paper"), (band, "accent"), (band + 2.5, "primary")])
        if c.subtitle:
            self.text(c.subtitle, "Subtitle")
        if c.cover_image:
            picture = self.document.add_paragraph(style="Cover Details")
            shape = picture.add_run().add_picture(io.BytesIO(self.job.images[c.cover_image.file]),
                                                  width=Mm(90))
            if shape.height > Mm(70):
                shape.width = Emu(int(shape.width * Mm(70) / shape.height))
                shape.height = Mm(70)
            ooxml.set_picture_alt(shape, clean(plain_text(c.cover_image.alt)))
        meeting = self.job.document.meeting_line(c.date)
        foot = [literal(meeting)] if meeting else []
        foot.append(spans(long_date(c.date, c.language)))
        if c.coordinator:
            foot.append(spans(org_line(c.organization(c.coordinator))))
        for text in foot:
            paragraph = self.write(self.document.add_paragraph(style="Cover Details"), text)
            ooxml.set_frame(paragraph, x=left, y=None, width=self.text_width, y_align="bottom")

    def imprint(self):
        """The page after the cover, at its foot: copyright, disclaimer, the 'not formally
        edited' note, the publication's numbers, and in small print the edition, the build
        date and the content version."""
        labels, imprint = self.labels, self.c.imprint
        self.imprint_start = self.body_length()
        for text in (imprint.copyright, imprint.disclaimer, imprint.note) if imprint else ():
            if text:
                self.text(text, "Imprint")
        numbers = [(labels.symbol, imprint.symbol), (labels.isbn, imprint.isbn),
                   (labels.sales_number, imprint.sales_number),
                   (labels.job_number, imprint.job_number)] if imprint else []
        details = [(label, literal(clean(value))) for label, value in numbers if value]
        if imprint and imprint.edition:
            details.append((None, spans(imprint.edition)))
        details += [(labels.built, literal(long_date(self.job.built, self.c.language))),
                    (labels.version, literal(clean(self.job.version)))]
        for label, value in details:
            line = self.document.add_paragraph(style="Imprint Details")
            if label:
                self.write(line, spans(label), style="Strong")
                line.add_run("\t")
            self.write(line, value)
        self.text(labels.generator, "Imprint Details").paragraph_format.space_before = Pt(6)
        self.to_foot(self.imprint_start)

    def body_length(self) -> int:
        """How many paragraphs and tables the body has (the next one's index)."""
        return sum(1 for e in self.document.element.body if e.tag != qn("w:sectPr"))

    def to_foot(self, start: int) -> None:
        """The body's paragraphs from index start on, in one frame at the foot of the text
        area (LibreOffice ignores a section's vertical alignment; Word and it honour frames)."""
        left = Mm(self.theme.page["margin_left_mm"])
        for element in list(self.document.element.body)[start:]:
            if element.tag == qn("w:p"):
                ooxml.set_frame(DocxParagraph(element, self.document._body), x=left, y=None,
                                width=self.text_width, y_align="bottom")

    def back_cover(self, address: Address):
        """The publisher and the contact address, on the primary colour, at the page's foot."""
        c = self.c
        # The design is anchored in an empty paragraph: one in a frame would carry it along.
        self.background(self.document.add_paragraph(style="Back Cover"),
                        [(0, "primary"), (287, "accent")])
        start = self.body_length()
        acronym = self.document.add_paragraph(style="Back Cover")
        self.write(acronym, literal(clean(c.publisher)), style="Cover Acronym")
        self.write(self.document.add_paragraph(style="Back Cover"), spans(c.publisher_name))
        self.write(self.document.add_paragraph(style="Back Cover"), address.intro).paragraph_format.space_before = Pt(18)
        lines = self.document.add_paragraph(style="Back Cover")
        for index, line in enumerate(address.lines):
            if index:
                lines.add_run().add_break()
            self.write(lines, line, style="Strong" if index == 0 else None)
        for run in lines.iter_inner_content():  # links too, in the colour text has here
            for r in getattr(run, "runs", [run]):
                r.font.color.rgb = RGBColor.from_string(self.theme.hex("on_primary"))
        self.to_foot(start)

    def table_of_contents(self, toc_heading):
        """A TOC field over Heading 1-2 whose cached result is what Word would write: each
        entry a link to its heading, a dotted leader and a PAGEREF field. Its page numbers are
        placeholders until render() knows the layout (page_numbers); F9 in Word updates them."""
        if not self.headings:
            return
        anchor = self.headings[0].paragraph  # entries go between the TOC heading and this
        entries = []
        for heading in self.headings:
            entry = anchor.insert_paragraph_before(style=f"toc {heading.level}")
            entries.append((entry, heading))
        first, last = entries[0][0], entries[-1][0]
        ooxml.begin_field(first, f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u')
        for entry, heading in entries:
            heading.page = ooxml.add_toc_entry(entry, heading.text, heading.bookmark,
                                               PLACEHOLDER * 2, right_to_left=self.script.rtl)
        ooxml.end_field(last)
        log.debug("table of contents: %d entries after %r", len(entries), toc_heading.text)

    def page_numbers(self, numbers: dict[str, str]) -> None:
        """Each contents entry's page number; an entry without one loses its leader and field."""
        for heading in self.headings:
            if heading.page is None:
                continue
            number = numbers.get(heading.bookmark)
            if number is not None:
                heading.page.text = number
                continue
            link = heading.page._r.getparent()
            for child in list(link)[1:]:  # all but the heading's text
                link.remove(child)
            heading.page = None


def literal_space(text: str) -> Inlines:
    """Text kept as written, its spaces included (Markdown would trim them)."""
    return literal(clean(text))


# One function per node type of the tree; each adds the node to the place it is given and
# returns its last paragraph (None after a table), which a following names list keeps with.
BLOCKS = {
    Paragraph: Report.paragraph,
    BulletList: Report.bullet_list,
    OrderedList: Report.ordered_list,
    Table: Report.table,
    KeyArea: Report.key_area,
    Address: Report.address,
    Box: Report.box,
    Quote: Report.quote,
    Figure: Report.figure,
}
