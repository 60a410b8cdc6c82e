"""Content model to a Word document.

The model is walked section by section in the order of the HTML/PDF report. Every look is a
named style (built-in ones customised from the theme), so a Word user can keep editing the
file with the styles pane; the little raw XML python-docx cannot write lives in ooxml.py.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Emu, Mm, Pt, RGBColor

from ..inline import plain, spans
from ..job import Job
from ..ooxml_zip import stable_zip
from ..model import Organization
from ..templating import long_date
from ..theme import Theme
from . import ooxml
from ..engines.xpath import compile_xpaths

log = logging.getLogger(__name__)

OUTPUT = "analytical-review.docx"
GENERATOR = "icat-reports"
TOC_LEVELS = 2            # Heading 1 and 2 are listed in the table of contents
PAPER_MM = {"A4": (210, 297), "A5": (148, 210), "Letter": (215.9, 279.4)}  # theme page.size
HEADER_DISTANCE = Mm(12)  # from the page edge; inside the theme's top and bottom margins
FOOTER_DISTANCE = Mm(10)


@dataclass
class Heading:
    text: str
    level: int
    bookmark: str
    paragraph: object


def render(job: Job) -> dict[str, bytes]:
    compile_xpaths("docx")
    document = Report(job).build()
    buffer = io.BytesIO()
    document.save(buffer)
    return {OUTPUT: stable_zip(buffer.getvalue(), job.built)}


# -- styles ---------------------------------------------------------------------------

def _script_font(theme: Theme, script: str) -> str:
    """The fallback font named for a script (Word has one font slot per script)."""
    return next((f for f in theme.fonts.get("fallback", []) if script in f), theme.fonts["body"])


def define_styles(document, theme: Theme, text_width) -> None:
    """Customise the built-in styles from the theme and add the few the report needs."""
    styles = document.styles
    color = lambda name: RGBColor.from_string(theme.hex(name))
    body, small = theme.sizes["body_pt"], theme.sizes["small_pt"]

    # Fonts are set once, on the document defaults; styles inherit them.
    ooxml.drop_theme_fonts(styles)
    defaults = ooxml.document_defaults(document)
    ooxml.set_fonts(defaults, theme.fonts["body"], _script_font(theme, "CJK"),
                    _script_font(theme, "Arabic"))

    def paragraph_style(name, *, base=None, size=None, bold=None, italic=None, color_name=None,
                        before=None, after=None, keep_next=None, priority=None):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
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

    title = paragraph_style("Title", size=26, bold=True, color_name="primary", before=0, after=12)
    ooxml.clear_borders(title)
    ooxml.set_border(title, "left", theme.hex("accent"), 36, 14)
    subtitle = paragraph_style("Subtitle", size=14, italic=False, color_name="muted", after=24)
    ooxml.clear_numbering(subtitle)
    ooxml.set_border(subtitle, "left", theme.hex("accent"), 36, 14)

    h1 = paragraph_style("Heading 1", size=18, bold=True, color_name="primary", before=0, after=12)
    h1.paragraph_format.page_break_before = True  # each part starts a page, as in the PDF
    ooxml.set_border(h1, "bottom", theme.hex("accent"), 8, 4)
    paragraph_style("Heading 2", size=13, bold=True, color_name="primary", before=16, after=6)
    paragraph_style("Heading 3", size=11, bold=True, color_name="primary", before=12, after=4)
    for name in ("Heading 1 Char", "Heading 2 Char", "Heading 3 Char", "Title Char",
                 "Subtitle Char"):
        styles[name].font.color.rgb = color("primary" if "Subtitle" not in name else "muted")

    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
        rpr = styles[name].element.get_or_add_rPr()
        ooxml.set_fonts(rpr, theme.fonts["heading"], _script_font(theme, "CJK"),
                        _script_font(theme, "Arabic"))
        ooxml.clear_character_spacing(rpr)  # the template letter-spaces Title and Subtitle

    # Based on Heading 1 (page break, rule) but outside the outline, so not listed in itself.
    paragraph_style("TOC Heading", priority=39)
    for level in range(1, TOC_LEVELS + 1):
        toc = paragraph_style(f"toc {level}", bold=level == 1, before=6 if level == 1 else 0,
                              after=2, priority=39)
        ooxml.make_builtin(toc, f"TOC{level}")
        toc.paragraph_format.left_indent = Mm(6 * (level - 1))
        toc.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT,
                                                    WD_TAB_LEADER.DOTS)

    for name in ("List Bullet", "List Number"):
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
        styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link = styles["Hyperlink"]
    ooxml.make_builtin(link, "Hyperlink")
    link.font.color.rgb = color("accent")
    link.font.underline = True
    ooxml.set_style_meta(link, priority=99, quick=False)

    # The report's own styles, each used for one kind of block.
    band = paragraph_style("Cover Band", size=11, color_name="on_primary", after=150,
                           priority=20)
    ooxml.set_shading(band, theme.hex("primary"))
    for side in ("top", "left", "bottom", "right"):  # same colour as the fill: padding
        ooxml.set_border(band, side, theme.hex("primary"), 4, 10)
    acronym = styles.add_style("Cover Acronym", WD_STYLE_TYPE.CHARACTER)
    acronym.base_style = styles["Default Paragraph Font"]
    acronym.font.size, acronym.font.bold = Pt(24), True
    paragraph_style("Cover Details", size=11, color_name="muted", after=2, priority=20)
    paragraph_style("Publication Title", italic=True, color_name="primary", after=8, priority=20)
    paragraph_style("Table Text", size=small, after=0, priority=20).paragraph_format.line_spacing = 1.1
    paragraph_style("Table Heading", base="Table Text", bold=True, color_name="primary",
                    priority=20).paragraph_format.keep_with_next = True
    for name in ("gaps", "recommendations"):
        style = paragraph_style(f"{name.capitalize()} Heading", base="Table Heading",
                                color_name=name, priority=20)
        style.font.all_caps = True
    paragraph_style("Address", after=8, priority=20)
    definition = paragraph_style("Definition", after=2, priority=20)
    definition.paragraph_format.tab_stops.add_tab_stop(Mm(40))

    for style in styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            ooxml.match_complex_script(style)

    ooxml.add_table_style(styles, "Report Table", border=theme.hex("rule"),
                          header_fill=theme.hex("accent_light"), header_color=theme.hex("primary"),
                          cell_margin=Mm(2.5), size_pt=small)


# -- the document ---------------------------------------------------------------------

class Report:
    """One Word document built from one job."""

    def __init__(self, job: Job):
        self.job, self.c, self.labels, self.theme = job, job.content, job.content.labels, job.theme
        self.document = docx.Document()
        self.headings: list[Heading] = []

    def build(self):
        page = self.theme.page
        section = self.document.sections[0]
        # python-docx's template is US Letter: the theme's paper and margins, as in the PDF.
        section.page_width, section.page_height = (Mm(side) for side in PAPER_MM[page["size"]])
        section.top_margin, section.bottom_margin = Mm(page["margin_top_mm"]), Mm(page["margin_bottom_mm"])
        section.left_margin, section.right_margin = Mm(page["margin_left_mm"]), Mm(page["margin_right_mm"])
        section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
        self.text_width = Emu(section.page_width - section.left_margin - section.right_margin)

        define_styles(self.document, self.theme, self.text_width)
        ooxml.remember_style_ids(self.document)
        ooxml.set_language(self.document, self.c.language)
        self.properties()
        self.header_footer(section)

        self.cover()
        toc_heading = self.paragraph(self.labels.contents, "TOC Heading")
        self.about()
        self.publication()
        self.key_areas()
        self.global_plan()
        self.contact()
        self.colophon()
        self.table_of_contents(toc_heading)
        ooxml.update_fields_on_open(self.document)
        ooxml.modern_layout(self.document)
        return self.document

    # -- building blocks ----------------------------------------------------------------

    def write(self, paragraph, text: str, href: str | None = None, style: str | None = None):
        """Content text (inline Markdown) as runs; its links become real hyperlinks.

        With href the whole text is one link (links inside it cannot nest, so they are not).
        """
        whole = ooxml.add_hyperlink(paragraph, url=href) if href else None
        for span in spans(str(text)):
            if whole is not None:
                parent = whole
            elif span.href:
                parent = ooxml.add_hyperlink(paragraph, url=span.href)
            else:
                parent = paragraph._p
            run = ooxml.add_run(parent, paragraph, span.text)
            run.style = "Hyperlink" if href or span.href else style
            if span.bold:
                run.bold = True
            if span.italic:
                run.italic = True
        return paragraph

    def paragraph(self, text: str = "", style: str | None = None, container=None):
        container = container or self.document
        paragraph = container.add_paragraph(style=style)
        return self.write(paragraph, text) if text else paragraph

    def heading(self, text: str, level: int):
        paragraph = self.paragraph(text, f"Heading {level}")
        if level <= TOC_LEVELS:
            bookmark = f"_Toc{len(self.headings) + 1:04d}"
            ooxml.add_bookmark(paragraph, bookmark, len(self.headings) + 1)
            self.headings.append(Heading(plain(text), level, bookmark, paragraph))
        return paragraph

    def bullets(self, items, style: str = "List Bullet", container=None):
        return [self.paragraph(item, style, container) for item in items]

    def short_list(self, intro: str, items):
        """An intro line and a short list of names, kept together on one page."""
        paragraphs = [self.paragraph(intro), *self.bullets(items)]
        for paragraph in paragraphs[:-1]:
            paragraph.paragraph_format.keep_with_next = True

    @staticmethod
    def org(org: Organization) -> str:
        return f"{org.name} ({org.acronym})"

    def table(self, header: list[str], rows: list[list], widths: list[int], *, title: str,
              first_column: bool, heading_styles: list[str] | None = None):
        """A 'Report Table' whose header row repeats on every page.

        Cells are filled row by row through row.cells: table.cell(i, j) is quadratic.
        A cell value is text, or a callable that fills the cell itself.
        """
        table = self.document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.document.styles["Report Table"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        ooxml.table_look(table, first_row=True, first_column=first_column)
        ooxml.set_table_title(table, plain(title))  # what screen readers announce
        for column, width in zip(table.columns, widths):
            column.width = Mm(width)
        heading_styles = heading_styles or ["Table Heading"] * len(header)
        for index, (row, values) in enumerate(zip(table.rows, [header, *rows])):
            if index == 0:
                ooxml.repeat_header(row)
            for cell, value, width, style in zip(row.cells, values, widths, heading_styles):
                cell.width = Mm(width)
                paragraph = cell.paragraphs[0]
                if callable(value):
                    value(cell)
                else:
                    paragraph.style = style if index == 0 else "Table Text"
                    if value:
                        self.write(paragraph, value)
            if index:
                ooxml.cant_split(row)
        return table

    def cell_bullets(self, items):
        """A cell filler: the items as bullets, the first in the cell's own paragraph."""
        def fill(cell):
            first = cell.paragraphs[0]
            first.style = "List Bullet"
            self.write(first, items[0])
            self.bullets(items[1:], container=cell)
        return fill

    # -- file properties, header and footer ------------------------------------------------

    def properties(self):
        c, built = self.c, self.job.built
        # Core properties are written as UTC; python-docx does not convert.
        built = (built.astimezone(dt.timezone.utc) if built.tzinfo else built).replace(tzinfo=None)
        author = f"{c.publisher_name} ({c.publisher})"
        props = self.document.core_properties
        props.title = plain(c.title)
        props.subject = plain(c.subtitle)
        props.author = author
        props.last_modified_by = author
        props.keywords = "; ".join(c.keywords)  # the separator of Word's and Windows' Tags field
        props.comments = plain(c.description)  # replaces "generated by python-docx"
        props.category = c.publisher
        props.language = c.language
        props.version = self.job.version
        props.revision = 1
        props.created = props.modified = props.last_printed = built
        ooxml.replace_template_leftovers(self.document, GENERATOR, c.publisher_name)

    def header_footer(self, section):
        section.different_first_page_header_footer = True  # the cover has neither
        for part in (section.first_page_header, section.first_page_footer):
            part.is_linked_to_previous = False
            part.paragraphs[0].style = "Normal"  # not Header: its rule would show on the cover
        header = section.header.paragraphs[0]
        header.style = "Header"
        self.write(header, self.c.short_title)
        footer = section.footer.paragraphs[0]
        footer.style = "Footer"
        self.write(footer, f"{self.labels.page} ")
        ooxml.add_field(footer, "PAGE", "1")
        self.write(footer, f" {self.labels.of} ")
        ooxml.add_field(footer, "NUMPAGES", "1")

    # -- the report, in the order of the HTML/PDF ----------------------------------------

    def cover(self):
        c = self.c
        band = self.document.add_paragraph(style="Cover Band")
        band.add_run(c.publisher, style="Cover Acronym")
        band.add_run().add_break()
        self.write(band, c.publisher_name)
        self.paragraph(c.title, "Title")
        self.paragraph(c.subtitle, "Subtitle")
        self.paragraph(long_date(c.date), "Cover Details")
        self.paragraph(self.org(c.organization(c.coordinator)), "Cover Details")
        if c.cover_image:
            picture = self.document.add_paragraph(style="Cover Details")
            shape = picture.add_run().add_picture(io.BytesIO(self.job.images[c.cover_image.file]),
                                                  width=Mm(90))
            ooxml.set_picture_alt(shape, plain(c.cover_image.alt))

    def table_of_contents(self, toc_heading):
        """A TOC field over Heading 1-2 whose cached result already lists the headings.

        The entries link to their headings but carry no page numbers: only a layout engine
        knows those, and a guess would print wrong ones. Word offers to refresh the field on
        opening (update_fields_on_open) and then adds them, with the dotted leaders of the
        TOC styles.
        """
        anchor = self.headings[0].paragraph  # entries go between the TOC heading and this
        entries = []
        for heading in self.headings:
            entry = anchor.insert_paragraph_before(style=f"toc {heading.level}")
            entries.append((entry, heading))
        first, last = entries[0][0], entries[-1][0]
        ooxml.begin_field(first, f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u')
        for entry, heading in entries:
            ooxml.add_toc_entry(entry, heading.text, heading.bookmark)
        ooxml.end_field(last)
        log.debug("table of contents: %d entries after %r", len(entries), toc_heading.text)

    def about(self):
        c, labels, about = self.c, self.labels, self.c.about
        self.heading(labels.about, 1)
        self.heading(labels.history, 2)
        self.paragraph(about.history.meeting)
        self.short_list(about.history.participants_intro,
                        [self.org(o) for o in c.named(about.history.participants)])
        self.paragraph(about.history.proposal)

        self.heading(labels.establishment, 2)
        self.paragraph(about.establishment.text)
        self.paragraph(about.aim)
        self.paragraph(about.coordination)

        self.heading(labels.functions, 2)
        self.bullets(about.functions)

        self.heading(labels.members, 2)
        self.paragraph(labels.members_caption, "Caption")
        yes = lambda org, role: labels.yes if role in org.roles else ""
        rows = [[o.acronym, o.name, yes(o, "contributor"), yes(o, "panel")] for o in c.members]
        table = self.table([labels.acronym, labels.organization, labels.contributor, labels.panel],
                           rows, [26, 92, 24, 24], first_column=True,
                           title=labels.members_caption)
        rows = table.rows
        for number, row in enumerate(rows):
            cells = row.cells
            for cell in cells:
                # Short enough for one page: keep it whole rather than leave a row behind.
                cell.paragraphs[0].paragraph_format.keep_with_next = number < len(rows) - 1
            for cell in cells[2:] if number else ():
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def publication(self):
        c, labels, pub = self.c, self.labels, self.c.publication
        self.heading(labels.publication, 1)
        self.paragraph(c.title, "Publication Title")
        self.paragraph(pub.summary)
        self.paragraph(pub.provides_intro)
        self.bullets(pub.provides)
        self.paragraph(pub.areas_intro)

        self.heading(labels.contributors, 2)
        self.short_list(pub.contributors_intro, [self.org(o) for o in c.contributors])

        self.heading(labels.launch, 2)
        self.paragraph(pub.launch)
        self.short_list(pub.panel_intro, [self.org(o) for o in c.panel])

    def key_areas(self):
        labels = self.labels
        self.heading(labels.key_areas, 1)
        half = round(self.text_width.mm / 2)
        for area in self.c.areas:
            self.heading(area.name, 2)
            if not self.job.theme.side_by_side(area.gaps, area.recommendations):
                # Too long for one table row (a row cannot split); as in the PDF, stack them.
                self.paragraph(labels.gaps, "Gaps Heading")
                self.bullets(area.gaps)
                self.paragraph(labels.recommendations, "Recommendations Heading")
                self.bullets(area.recommendations)
                continue
            # Gaps and recommendations side by side, as in the PDF.
            self.table([labels.gaps, labels.recommendations],
                       [[self.cell_bullets(area.gaps), self.cell_bullets(area.recommendations)]],
                       [half, half], first_column=False, title=area.name,
                       heading_styles=["Gaps Heading", "Recommendations Heading"])

    def global_plan(self):
        plan = self.c.global_plan
        self.heading(self.labels.global_plan, 1)
        self.paragraph(plan.intro)
        self.bullets(plan.points, "List Number")

    def contact(self):
        c, labels, contact = self.c, self.labels, self.c.contact
        self.heading(labels.contact, 1)
        intro = self.paragraph(contact.intro)
        intro.add_run(":")
        address = self.document.add_paragraph(style="Address")
        lines = [self.org(c.organization(contact.organization)),
                 *contact.address,
                 f"{labels.telephone} {contact.telephone}",
                 f"{labels.fax} {contact.fax}"]
        self.write(address, contact.unit, style="Strong")
        for line in lines:
            address.add_run().add_break()
            self.write(address, line)
        address.add_run().add_break()
        self.write(address, f"{labels.email} ")
        self.write(address, contact.email, href=f"mailto:{contact.email}")
        if c.links:
            self.heading(labels.links, 2)
            for link in c.links:
                self.write(self.document.add_paragraph(style="List Bullet"), link.label,
                           href=link.url)

    def colophon(self):
        labels = self.labels
        heading = self.heading(labels.colophon, 1)
        # Short: it follows the contact on the same page, set apart by space instead.
        heading.paragraph_format.page_break_before = False
        heading.paragraph_format.space_before = Pt(24)
        self.paragraph(labels.generator)
        for label, value in ((labels.built, long_date(self.job.built)),
                             (labels.version, self.job.version)):
            line = self.document.add_paragraph(style="Definition")
            self.write(line, label, style="Strong")
            line.add_run("\t")
            self.write(line, value)
