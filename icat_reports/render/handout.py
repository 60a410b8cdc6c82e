"""The deck (content/handout.yaml) to the printed side-event handout: the slides as a 16:9 PDF
and the notes handout (A4, three slides a page beside ruled lines).

Both show the slides icat_reports.deck expands, as the PowerPoint deck (powerpoint.py) does,
so the three cannot disagree. The handout's two PDFs are one build step and the PowerPoint
deck another, which needs no WeasyPrint and so renders beside them (rendering.py). The notes
handout is an imposition: WeasyPrint prints the A4 pages (header, page numbers, frames, the
labels of the lines), and pikepdf places each page of the slides PDF into its frame, beside
ruled lines drawn from the same geometry (Sheet).
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass

import pikepdf
from markupsafe import Markup

from ..deck import SLIDE, Slide, footer_text, slides_of
from ..engines.fetcher import ProjectOnlyFetcher
from ..job import Job
from ..locales import script_of
from ..templating import environment, header_widths
from ..engines.weasy import font_config
from ..engines import parsing
from .pdf import check_font
from ..engines.pdftags import write_tagged_pdf

log = logging.getLogger(__name__)

SLIDES_PDF, NOTES_PDF = "handout-slides.pdf", "handout-notes.pdf"


@dataclass(frozen=True)
class Sheet:
    """The printed handout's A4 page, in points; the frames are where the slides go."""

    width: float = 595.28
    height: float = 841.89
    margin_x: float = 34.02           # 12 mm
    top: float = 64
    bottom: float = 46
    per_page: int = 3
    # A slide printed 12.7 cm wide: its 24 pt body text prints at 9 pt, as a book's notes do;
    # the ruled lines beside it keep 5 cm.
    thumb_width: float = 360
    border: float = 0.75
    frame_top: float = 8              # from the top of a slide's row
    gap: float = 20                   # between a slide and its lines
    line_pitch: float = 22
    row_gap: float = 14               # free space at the foot of each row

    @property
    def thumb_height(self) -> float:
        return self.thumb_width * SLIDE.height / SLIDE.width

    @property
    def row_height(self) -> float:
        # A hair under a third of the page, so three rows never spill onto a fourth page.
        return math.floor((self.height - self.top - self.bottom) / self.per_page * 100) / 100 - 0.01

    @property
    def frame_left(self) -> float:
        return self.border

    @property
    def lines_left(self) -> float:
        return self.frame_left + self.thumb_width + self.gap

    @property
    def lines(self) -> int:
        label = 14
        return int((self.row_height - self.frame_top - label - self.row_gap) // self.line_pitch)

    def rules(self, index: int, label_height: float, rule: float = 0.75,
              rtl: bool = False) -> list[tuple[float, ...]]:
        """The ruled lines beside slide index (0-based), each (x, y, width, height) in PDF
        coordinates: under the lines' label, one every line_pitch, the last `rule` of it.
        rtl: the page mirrored, the slide on the right and its lines on the left (notes.css)."""
        top = self.top + (index % self.per_page) * self.row_height + self.frame_top + label_height
        left = self.margin_x + self.lines_left
        width = self.width - self.margin_x - left
        if rtl:
            left = self.width - left - width
        return [(left, self.height - (top + (i + 1) * self.line_pitch), width, rule)
                for i in range(self.lines)]

    def slot(self, index: int, rtl: bool = False) -> pikepdf.Rectangle:
        """Where slide index (0-based) goes on its page, in PDF coordinates (origin bottom left);
        rtl: on the mirrored page."""
        top = self.top + (index % self.per_page) * self.row_height + self.frame_top
        left = self.margin_x + self.frame_left
        if rtl:
            left = self.width - left - self.thumb_width
        return pikepdf.Rectangle(left, self.height - top - self.thumb_height,
                                 left + self.thumb_width, self.height - top)


SHEET = Sheet()


def _context(job: Job, deck: list[Slide]) -> dict:
    from ..assets import fitted
    from .html import data_uri, writing_of
    from ..dates import long_date
    fonts = job.theme.fonts
    # The notes sheet's header: the event, and the date in a box as wide as it (notes.css).
    header = header_widths(long_date(job.content.handout.date, job.content.language), job.theme.sizes["small_pt"],
                           fonts["body"], SHEET.width - 2 * SHEET.margin_x, job.theme.fallback_fonts)
    return {"c": job.content, "t": job.theme, "g": SLIDE, "n": SHEET, "slides": deck, "built": job.built,
            "footer": footer_text(job.document), "header": header,
            "image_src": lambda file: data_uri(job.images[file]),
            "fit": lambda s: fitted(job.images[s.figure.file], SLIDE.body_width, s.figure_height),
            **writing_of(job)}


def _page(job: Job, page: str, stylesheet: str):
    """The page as WeasyPrint's parsed HTML, made once per job (see prepare)."""
    def make():
        context = _context(job, slides_of(job))
        env = environment(job.templates)
        # Safe to inline: the stylesheet is ours; content reaches it only through css_string.
        context = {**context, "css": Markup(env.get_template(stylesheet).render(context))}
        html = env.get_template(page).render(context)
        fetcher = ProjectOnlyFetcher(job.templates, allow_redirects=False)
        return parsing.page(html, f"{job.templates}/", fetcher)
    return job.once(f"handout {page}", make)


def prepare(job: Job) -> None:
    """Expand the deck and parse both pages. A build runs this in its parent while it imports
    WeasyPrint, which leaves less for the handout's own process (rendering.py)."""
    _page(job, "slides.html.j2", "slides.css")
    _page(job, "notes.html.j2", "notes.css")


def print_slides(job: Job) -> bytes:
    check_font(job.theme.fonts["body"])
    deck = slides_of(job)
    document = _page(job, "slides.html.j2", "slides.css").render(font_config=font_config())
    if len(document.pages) != len(deck):
        # The deck's measurements said everything fits; a slide that grew onto a second page
        # would otherwise be cut or shifted. Name the first one that did.
        spill = next((i for i, page in enumerate(document.pages)
                      if f"slide-{i + 1}" not in page.anchors), len(deck))
        culprit = deck[max(0, spill - 1)]
        raise RuntimeError(f"slide {culprit.number} ('{culprit.title}') does not fit on one page; "
                           f"{len(document.pages)} pages for {len(deck)} slides")
    return write_tagged_pdf(document, pdf_identifier=b"icat-handout-slides")


def print_notes(job: Job, slides_pdf: bytes) -> bytes:
    deck = slides_of(job)
    sheets = _page(job, "notes.html.j2", "notes.css").render(font_config=font_config())
    expected = math.ceil(len(deck) / SHEET.per_page)
    if len(sheets.pages) != expected:
        raise RuntimeError(f"the notes handout has {len(sheets.pages)} pages, not {expected}")
    frame = pikepdf.open(io.BytesIO(sheets.write_pdf(pdf_identifier=b"icat-handout-notes")))
    source = pikepdf.open(io.BytesIO(slides_pdf))
    for sheet in frame.pages:
        # WeasyPrint's pages share one resource dictionary: give each its own before adding to it.
        resources = pikepdf.Dictionary({key: value for key, value in sheet.obj.Resources.items()})
        xobjects = resources.get("/XObject")
        resources.XObject = pikepdf.Dictionary(dict(xobjects.items())) if xobjects else pikepdf.Dictionary()
        sheet.obj.Resources = resources
    # The ruled lines are drawn here rather than laid out by WeasyPrint: 150 boxes, a fifth of
    # the notes' printing time, for a few rectangles (the same ones: the layout's geometry).
    red, green, blue = (value / 255 for value in job.theme.rgb("rule"))
    colour = f"{red:.6g} {green:.6g} {blue:.6g} rg\n".encode()
    label = job.theme.sizes["small_pt"]  # the label's height: line-height 1 (notes.css)
    rtl = script_of(job.content.language or "en").rtl
    for index, page in enumerate(source.pages):
        # pikepdf's add_overlay names the placed page at random; a fixed name keeps builds identical.
        sheet = frame.pages[index // SHEET.per_page]
        form = frame.copy_foreign(page.as_form_xobject())
        name = sheet.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/Slide{index + 1}"))
        rules = b"".join(b"%s %s %s %s re\n" % tuple(_pt(v) for v in rect) for rect in SHEET.rules(index, label, rtl=rtl))
        sheet.contents_add(b"q\n", prepend=True)
        sheet.contents_add(b"\nQ\nq\n" + colour + rules + b"f\nQ\nq\n"
                           + sheet.calc_form_xobject_placement(form, name, SHEET.slot(index, rtl)) + b"\nQ\n")
    _outline(frame, deck)
    out = io.BytesIO()
    frame.save(out, deterministic_id=True)
    return out.getvalue()


def _outline(pdf: pikepdf.Pdf, deck: list[Slide]) -> None:
    """A bookmark for each slide, named as in the slides PDF, at the top of its row."""
    with pdf.open_outline() as outline:
        for index, s in enumerate(deck):
            top = SHEET.height - SHEET.top - (index % SHEET.per_page) * SHEET.row_height
            outline.root.append(pikepdf.OutlineItem(s.outline, index // SHEET.per_page,
                                                    pikepdf.PageLocation.XYZ, left=0, top=round(top, 2)))


def _pt(value: float) -> bytes:
    return f"{value:.3f}".rstrip("0").rstrip(".").encode()


def render_printed(job: Job) -> dict[str, bytes]:
    """The slides PDF and the notes handout printed from it."""
    slides_pdf = print_slides(job)
    log.debug("handout: %d slides from %d deck entries", len(slides_of(job)), len(job.content.handout.slides))
    return {SLIDES_PDF: slides_pdf, NOTES_PDF: print_notes(job, slides_pdf)}
