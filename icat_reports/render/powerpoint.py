"""Expanded slides (icat_reports.deck) to an editable 16:9 PowerPoint deck, with python-pptx.

python-pptx's built-in template is 4:3: its master and layouts keep 4:3 positions when the
slide size changes. So the master and the layouts used here are laid out again from the one
slide geometry (deck.SLIDE) that the PDF uses, the other layouts are removed, and the theme's
colours and fonts go into the PowerPoint theme and the text styles of the master (p:txStyles),
of its footer placeholders and of the Title Slide layout: the runs of titles, bullets and
footers carry no size, font or colour of their own, so that editing the master restyles the
deck. Only text unlike its placeholder's style says so itself: a caption's bold, a statement's
size, the "(continued)" after a title, the footnote's and the introduction's text boxes (their
own list style). Titles and bullets are real placeholders (the title slide's title and subtitle
too); the footer is PowerPoint's own footer and slide number.

The font is Arial (OFFICE_FONT), not the PDF's Noto Sans, which Office does not install: every
Windows and Mac Office has Arial, and LibreOffice draws it with Liberation Sans, metric-compatible
(fonts-liberation). deck.Measure lays the slides out with, for each character, the wider of Noto
Sans and Arial (icat_reports/arial_advances.py), so the text that fits the PDF fits PowerPoint.

Other scripts, as locales.script_of says (never a list of languages), again in the styles, not
on the runs (but for the language tag, which PowerPoint reads from each run):

- Right to left (Arabic ...): every text style level (the master's title, body and other styles,
  the presentation's default style, the notes master's, the footer's, the title slide's and the
  text boxes' own list styles) says rtl="1" and algn="r"; in an RTL paragraph PowerPoint reads
  marL and indent from the right edge, so the bullets hang on the right with the same values.
  The footer is mirrored (the event and date on the right, the slide number on the left) and
  so are the two columns of a two-column slide (the first on the right). Latin acronyms and
  symbols inside Arabic lines (UNODC, A/RES/61/180) keep their order by Unicode's bidirectional
  algorithm, which PowerPoint applies; nothing is reordered here. The subtitle under a title
  has no letter spacing: tracking would pull apart the joined letters of Arabic.
- Complex scripts take the theme's complex-script font (a:cs "+mn-cs"/"+mj-cs" in the styles),
  Arial: Arial has Arabic (and Hebrew) glyphs on Windows and on the Mac.
- CJK takes the theme's East Asian font (a:ea "+mn-ea"/"+mj-ea"), for Simplified Chinese
  Microsoft YaHei (EAST_ASIAN_FONTS): a sans serif like Arial, on every Windows since Vista. The
  fallback, documented: a Mac (or Office for Mac) without it substitutes the system's Chinese
  sans serif, PingFang SC, helped by the panose and the GB2312 charset the theme gives; on
  Linux LibreOffice substitutes Noto Sans CJK (fonts-noto-cjk). The style levels turn East
  Asian line breaking on (eaLnBrk="1", PowerPoint's Asian line-break control: no closing
  punctuation at a line start; latinLnBrk="0"; hangingPunct="1", as in PowerPoint's own
  template). Emphasis is bold, not a synthetic italic (Chinese fonts have no italics).
- The language: the presentation's default text style says it (lang, en-US in the template),
  and so does every run whose language is not that default (lang="ar-EG" altLang="en-US":
  CLDR's likely region, as Office tags a language), so that a screen reader speaks each text
  in its own language and PowerPoint proofs it in that language.
The deck has no tables (a table of the content becomes bullets), so no a:tblPr rtl is needed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from ..deck import SLIDE, Bullet, Slide, footer_text, slides_of
from ..inline import plain, spans
from ..job import Job
from ..ooxml_zip import stable_zip
from ..engines.xpath import compile_xpaths
from ..locales import Script, office_language, script_of

log = logging.getLogger(__name__)

PPTX = "handout.pptx"

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
KEEP_LAYOUTS = ("Title Slide", "Title and Content", "Two Content", "Title Only", "Blank")
NOTES_PT = 12
# The deck's font: one that every Windows and Mac Office install has (see the module's comment).
OFFICE_FONT = "Arial"
ARIAL_PANOSE = "020B0604020202020204"
MAJOR, MINOR = "+mj-lt", "+mn-lt"  # the theme's heading and body fonts, as a run names them
# The East Asian font of the theme, by script (see the module's comment): fonts that Windows
# and Office for Mac install, as (typeface, panose, charset) in DrawingML's signed-byte charsets.
EAST_ASIAN_FONTS = {
    "Hans": ("Microsoft YaHei", "020B0503020204020204", "-122"),   # GB2312
    "Hant": ("Microsoft JhengHei", "020B0604030504040204", "-120"),  # Big5
    "Jpan": ("Yu Gothic", "020B0400000000000000", "-128"),           # Shift JIS
    "Kore": ("Malgun Gothic", "020B0503020000020004", "-127"),       # Hangul
}
# The language a run without its own lang is in: the template's default text style says it.
DEFAULT_LANG = "en-US"
SLIDENUM_FIELD_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "icat-reports/slidenum")).upper() + "}"


def emu(points: float) -> Emu:
    return Emu(round(points * 12700))


class _Style:
    """The theme, as the values python-pptx wants."""

    def __init__(self, job: Job):
        self.theme = job.theme
        self.body_font = job.theme.fonts["body"]
        self.heading_font = job.theme.fonts["heading"]
        self.script: Script = script_of(job.content.language)
        self.language = office_language(job.content.language)
        # What a run says of its language: nothing in the default's (the styles say it).
        self.lang: dict[str, str] = {}
        if self.language != DEFAULT_LANG:
            self.lang["lang"] = self.language
            if self.script.rtl or self.script.cjk:  # the Latin acronyms in its lines
                self.lang["altLang"] = DEFAULT_LANG

    def color(self, name: str) -> RGBColor:
        return RGBColor(*self.theme.rgb(name))

    def hex(self, name: str) -> str:
        return self.theme.hex(name)


def _localize(level: etree._Element, script: Script) -> None:
    """A text style level (a:lvlNpPr) or a paragraph's pPr, set for the script's direction and
    line breaking: right to left, algn mirrored and rtl="1" (once); East Asian line breaking."""
    if script.rtl and level.get("rtl") != "1":
        align = level.get("algn", "l")
        level.set("algn", {"l": "r", "r": "l"}.get(align, align))
        level.set("rtl", "1")
    if script.cjk:
        level.set("eaLnBrk", "1")
        level.set("latinLnBrk", "0")
        level.set("hangingPunct", "1")


def _localize_style(style_element, script: Script, language: str) -> None:
    """The levels of a list style (p:otherStyle, p:notesStyle, p:defaultTextStyle ...) that this
    module does not write itself, and its default language (a:defPPr/a:defRPr lang)."""
    if style_element is None:
        return
    for level in style_element:
        if level.tag == f"{{{A}}}defPPr":
            rpr = level.find(f"{{{A}}}defRPr")
            if rpr is not None and rpr.get("lang") not in (None, language):
                rpr.set("lang", language)
        elif isinstance(level.tag, str) and level.tag.endswith("pPr"):
            _localize(level, script)


# -- the master, the layouts and the theme ---------------------------------------------

def _set_theme(prs, style: _Style) -> None:
    """Colours and fonts of the PowerPoint theme, so new text typed in PowerPoint matches."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    scheme = root.find(f".//{{{A}}}clrScheme")
    colors = {"dk1": "ink", "lt1": "paper", "dk2": "primary", "lt2": "accent_light",
              "accent1": "primary", "accent2": "accent", "accent3": "gaps",
              "accent4": "recommendations", "accent5": "muted", "accent6": "rule",
              "hlink": "accent", "folHlink": "primary"}
    for slot, name in colors.items():
        element = scheme.find(f"{{{A}}}{slot}")
        for child in list(element):
            element.remove(child)
        etree.SubElement(element, f"{{{A}}}srgbClr", val=style.hex(name))
    scheme.set("name", "ICAT")
    fonts = root.find(f".//{{{A}}}fontScheme")
    fonts.set("name", "ICAT")
    for which in ("majorFont", "minorFont"):
        latin = fonts.find(f"{{{A}}}{which}/{{{A}}}latin")
        latin.attrib.clear()
        latin.set("typeface", OFFICE_FONT)
        latin.set("panose", ARIAL_PANOSE)
    _script_fonts(fonts, style.script)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _script_fonts(fonts: etree._Element, script: Script) -> None:
    """The theme's East Asian and complex-script fonts (a:ea, a:cs) for the deck's script, and
    its font for that script (a:font script=...) the same, so that none says otherwise."""
    slots = []
    if script.cjk:
        typeface, panose, charset = EAST_ASIAN_FONTS.get(script.script, EAST_ASIAN_FONTS["Hans"])
        slots.append(("ea", {"typeface": typeface, "panose": panose, "charset": charset}))
    if script.complex:
        slots.append(("cs", {"typeface": OFFICE_FONT, "panose": ARIAL_PANOSE}))
    for which in ("majorFont", "minorFont"):
        group = fonts.find(f"{{{A}}}{which}")
        for slot, attributes in slots:
            element = group.find(f"{{{A}}}{slot}")
            element.attrib.clear()
            element.attrib.update(attributes)
            for entry in group.iterfind(f"{{{A}}}font"):
                if entry.get("script") == script.script:
                    entry.set("typeface", attributes["typeface"])


def _ppr(script: Script, level: str, *, mar_l: float, indent: float, size: float, color: str, font: str,
         space_before: float, line: float, bullet: str | None, bullet_color: str | None = None,
         align: str = "l", bold: bool = False, caps: bool = False) -> etree._Element:
    """A text style level (a:lvl1pPr ...), children in the order the schema requires; set for
    the script's direction, line breaking and font slots (see the module's comment)."""
    p = etree.Element(f"{{{A}}}{level}", marL=str(emu(mar_l)), indent=str(emu(indent)), algn=align)
    _localize(p, script)
    etree.SubElement(etree.SubElement(p, f"{{{A}}}lnSpc"), f"{{{A}}}spcPts", val=str(round(line * 100)))
    etree.SubElement(etree.SubElement(p, f"{{{A}}}spcBef"), f"{{{A}}}spcPts", val=str(round(space_before * 100)))
    if bullet:
        clr = etree.SubElement(p, f"{{{A}}}buClr")
        etree.SubElement(clr, f"{{{A}}}srgbClr", val=bullet_color or color)
        etree.SubElement(p, f"{{{A}}}buFont", typeface=OFFICE_FONT)
        etree.SubElement(p, f"{{{A}}}buChar", char=bullet)
    else:
        etree.SubElement(p, f"{{{A}}}buNone")
    rpr = etree.SubElement(p, f"{{{A}}}defRPr", sz=str(round(size * 100)), b="1" if bold else "0")
    if caps:
        rpr.set("cap", "all")
    etree.SubElement(etree.SubElement(rpr, f"{{{A}}}solidFill"), f"{{{A}}}srgbClr", val=color)
    etree.SubElement(rpr, f"{{{A}}}latin", typeface=font)
    theme = "+mj" if font == MAJOR else "+mn"  # the theme's slots of the same font, by script
    if script.cjk:
        etree.SubElement(rpr, f"{{{A}}}ea", typeface=f"{theme}-ea")
    if script.complex:
        etree.SubElement(rpr, f"{{{A}}}cs", typeface=f"{theme}-cs")
    return p


def _style_master(prs, style: _Style) -> None:
    g, script = SLIDE, style.script
    master = prs.slide_master
    styles = master.element.find(qn("p:txStyles"))
    title = styles.find(qn("p:titleStyle"))
    title.replace(title.find(f"{{{A}}}lvl1pPr"), _ppr(
        script, "lvl1pPr", mar_l=0, indent=0, size=g.title_pt, color=style.hex("on_primary"),
        font=MAJOR, space_before=0, line=g.title_pt * g.title_line_height, bullet=None,
        bold=True))
    body = styles.find(qn("p:bodyStyle"))
    size = g.sizes[0]
    for level, element in ((1, _ppr(script, "lvl1pPr", mar_l=g.bullet_indent, indent=-g.bullet_indent,
                                    size=size, color=style.hex("ink"), font=MINOR, space_before=g.bullet_gap,
                                    line=size * g.line_height, bullet="•", bullet_color=style.hex("accent"))),
                           (2, _ppr(script, "lvl2pPr", mar_l=g.bullet_indent + g.sub_indent, indent=-g.sub_indent,
                                    size=g.smaller(size), color=style.hex("ink"), font=MINOR,
                                    space_before=g.sub_gap, line=g.smaller(size) * g.line_height,
                                    bullet="–", bullet_color=style.hex("muted")))):
        body.replace(body.find(f"{{{A}}}lvl{level}pPr"), element)
    # The template's other levels, the other text's style and the presentation's defaults.
    for element in (title, body, styles.find(qn("p:otherStyle")), prs.part._element.find(qn("p:defaultTextStyle"))):
        _localize_style(element, script, style.language)

    # The title bar, the stripe under it and the rule above the footer, behind everything.
    tree = master.shapes._spTree
    for offset, (name, y, height, color) in enumerate((
            ("Title bar", 0, g.bar_height, "primary"),
            ("Title bar rule", g.bar_height, g.stripe, "accent"),
            ("Footer rule", g.footer_top, 1, "rule"))):
        tree.insert(2 + offset, _rectangle(100 + offset, name, 0 if y != g.footer_top else g.margin_x, y,
                                           g.width if y != g.footer_top else g.body_width, height,
                                           style.hex(color)))

    # The footer's text on the side lines start on, the slide number on the other.
    number_width, footer_height = 100, g.height - g.footer_top - 1
    footer_x = g.margin_x + (120 if script.rtl else 0)
    number_x = g.margin_x if script.rtl else g.width - g.margin_x - number_width
    for ph in master.placeholders:
        kind = ph.placeholder_format.type
        if kind == PP_PLACEHOLDER.TITLE:
            _place(ph, g.margin_x, g.bar_padding, g.body_width, g.title_box, MSO_ANCHOR.MIDDLE)
        elif kind == PP_PLACEHOLDER.BODY:
            _place(ph, g.margin_x, g.body_top, g.body_width, g.body_height, MSO_ANCHOR.TOP)
        elif kind == PP_PLACEHOLDER.FOOTER:
            _place(ph, footer_x, g.footer_top + 1, g.body_width - 120, footer_height, MSO_ANCHOR.MIDDLE)
            _list_style(ph, _ppr(script, "lvl1pPr", mar_l=0, indent=0, size=g.footer_pt, color=style.hex("muted"),
                                 font=MINOR, space_before=0, line=g.footer_pt * g.line_height, bullet=None))
        elif kind == PP_PLACEHOLDER.SLIDE_NUMBER:
            _place(ph, number_x, g.footer_top + 1, number_width, footer_height, MSO_ANCHOR.MIDDLE)
            _list_style(ph, _ppr(script, "lvl1pPr", mar_l=0, indent=0, size=g.footer_pt, color=style.hex("primary"),
                                 font=MINOR, space_before=0, line=g.footer_pt * g.line_height, bullet=None,
                                 align="r", bold=True))
        elif kind == PP_PLACEHOLDER.DATE:  # the date is in the footer text; keep this one out of the way
            _place(ph, g.width / 2 - 100, g.footer_top + 1, 200, footer_height, MSO_ANCHOR.MIDDLE)
            _list_style(ph, _ppr(script, "lvl1pPr", mar_l=0, indent=0, size=g.footer_pt, color=style.hex("muted"),
                                 font=MINOR, space_before=0, line=g.footer_pt * g.line_height, bullet=None))


def _list_style(shape, *levels: etree._Element) -> None:
    """The shape's own text style (a:lstStyle): these levels, or none (its master's then apply)."""
    body = shape._element.find(qn("p:txBody"))
    if body is None:
        return
    old = body.find(qn("a:lstStyle"))
    new = etree.Element(qn("a:lstStyle"))
    new.extend(levels)
    if old is None:
        body.find(qn("a:bodyPr")).addnext(new)
    else:
        body.replace(old, new)


def _rectangle(shape_id: int, name: str, x: float, y: float, w: float, h: float, color: str):
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    xml = (f'<p:sp xmlns:p="{p}" xmlns:a="{A}"><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/>'
           f'<p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{emu(x)}" y="{emu(y)}"/>'
           f'<a:ext cx="{emu(w)}" cy="{emu(h)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
           f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr></p:sp>')
    return etree.fromstring(xml)


def _place(shape, x: float, y: float, w: float, h: float, anchor=None) -> None:
    shape.left, shape.top, shape.width, shape.height = emu(x), emu(y), emu(w), emu(h)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        frame = shape.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        if anchor is not None:
            frame.vertical_anchor = anchor


def _layouts(prs, style: _Style) -> dict[str, object]:
    """The layouts the deck uses, laid out for 16:9; the 4:3 rest removed."""
    g = SLIDE
    found = {layout.name: layout for layout in prs.slide_layouts}
    for name, layout in found.items():
        if name not in KEEP_LAYOUTS:
            prs.slide_layouts.remove(layout)
    for name in KEEP_LAYOUTS:  # the template's own sizes would hide the master's text styles
        for ph in found[name].placeholders:
            _list_style(ph)
    two = found["Two Content"]
    width = g.column_width(2)
    for ph in two.placeholders:
        idx = ph.placeholder_format.idx
        if idx in (1, 2):
            _place(ph, _column_x(idx - 1, style.script), g.body_top, width, g.body_height, MSO_ANCHOR.TOP)
    return {"one": found["Title and Content"], "two": two, "title": found["Title Only"],
            "cover": _cover_layout(found["Title Slide"], style)}


def _column_x(i: int, script: Script, columns: int = 2) -> float:
    """The left edge of column i (from 0, in reading order): right to left, the first is on the right."""
    g = SLIDE
    return g.margin_x + (columns - 1 - i if script.rtl else i) * (g.column_width(columns) + g.column_gap)


def _cover_layout(layout, style: _Style):
    """The Title Slide layout as the PDF's title slide: the title at the foot of a band of the
    primary colour (not the master's title bar), the subtitle placeholder under it, its first
    level the body text, its second the subtitle's and the presenters' caption."""
    g, script = SLIDE, style.script
    layout.element.set("showMasterSp", "0")
    tree = layout.shapes._spTree
    tree.insert(2, _rectangle(100, "Title band", 0, 0, g.width, g.cover_height, style.hex("primary")))
    tree.insert(3, _rectangle(101, "Title band rule", 0, g.cover_height, g.width, g.stripe, style.hex("accent")))
    size = g.sizes[0]
    for ph in layout.placeholders:
        kind = ph.placeholder_format.type
        if kind == PP_PLACEHOLDER.CENTER_TITLE:
            _place(ph, g.margin_x, 0, g.body_width, g.cover_height - g.cover_padding, MSO_ANCHOR.BOTTOM)
            _list_style(ph, _ppr(script, "lvl1pPr", mar_l=0, indent=0, size=g.cover_title_pt,
                                 color=style.hex("on_primary"), font=MAJOR, space_before=0,
                                 line=g.cover_title_pt * g.title_line_height, bullet=None, bold=True))
        elif kind == PP_PLACEHOLDER.SUBTITLE:
            _place(ph, g.margin_x, g.cover_top, g.body_width, g.body_bottom - g.cover_top, MSO_ANCHOR.TOP)
            _list_style(ph,
                        _ppr(script, "lvl1pPr", mar_l=0, indent=0, size=size, color=style.hex("ink"), font=MINOR,
                             space_before=0, line=size * g.line_height, bullet=None),
                        _ppr(script, "lvl2pPr", mar_l=0, indent=0, size=g.smaller(size), color=style.hex("primary"),
                             font=MINOR, space_before=0, line=g.smaller(size) * g.line_height, bullet=None,
                             bold=True))
    return layout


def _notes_master(prs, style: _Style) -> None:
    """The notes page shows a 16:9 slide image, not a 4:3 one; its text is in the deck's script
    (the notes master's text style and its own theme's fonts)."""
    notes = prs.notes_master
    script = style.script
    if script.rtl or script.cjk:
        _localize_style(notes.element.find(qn("p:notesStyle")), script, style.language)
        for ph in notes.placeholders:  # the header, date, footer and number of a notes page
            _localize_style(ph._element.find(f"{qn('p:txBody')}/{qn('a:lstStyle')}"), script, style.language)
    if script.cjk or script.complex:
        # python-pptx makes the notes master and its theme (an XML part) on first use.
        theme = notes.part.part_related_by(RT.THEME)._element
        _script_fonts(theme.find(f".//{{{A}}}fontScheme"), script)
    page_w, page_h = 6858000, 9144000  # the template's notes page: 7.5 x 10 in
    margin = 685800
    image_w = page_w - 2 * margin
    image_h = round(image_w * SLIDE.height / SLIDE.width)
    for ph in notes.placeholders:
        kind = ph.placeholder_format.type
        if kind == PP_PLACEHOLDER.SLIDE_IMAGE:
            ph.left, ph.top, ph.width, ph.height = Emu(margin), Emu(margin), Emu(image_w), Emu(image_h)
        elif kind == PP_PLACEHOLDER.BODY:
            top = margin + image_h + margin // 2
            ph.left, ph.top, ph.width, ph.height = Emu(margin), Emu(top), Emu(image_w), Emu(page_h - top - margin)


# -- text ------------------------------------------------------------------------------

def _runs(paragraph, text: str, *, style: _Style, size: float | None = None, color: str | None = None,
          bold: bool | None = None) -> None:
    """Content Markdown as runs: emphasis, strong and clickable links. Size, colour and bold
    only where given: otherwise the placeholder's style (the master's) decides. A link takes
    the theme's hyperlink colour, underlined, as PowerPoint draws every link. Each run says
    its language unless it is the default's; CJK emphasis is bold (no synthetic italic)."""
    cjk = style.script.cjk
    for span in spans(text):
        run = paragraph.add_run()
        run.text = span.text
        f = run.font
        if style.lang:
            f._rPr.attrib.update(style.lang)
        if size is not None:
            f.size = Pt(size)
        strong = span.bold or (cjk and span.italic)
        if bold is not None or strong:
            f.bold = bool(bold or strong)
        f.italic = (span.italic and not cjk) or None
        if color is not None and not span.href:
            f.color.rgb = style.color(color)
        if span.href:
            run.hyperlink.address = span.href


def _paragraph(frame, first: bool):
    return frame.paragraphs[0] if first else frame.add_paragraph()


def _format(paragraph, *, space_before: float, bullet: bool = True, bullet_color: str | None = None,
            level: int = 0, line: float | None = None, style: _Style) -> None:
    """Paragraph properties that differ from the level's style: the space above it, no bullet
    (an intro, a caption, an address line), the tone's colour of the bullet."""
    paragraph.level = level
    paragraph.space_before = Pt(space_before)
    if line is not None:
        paragraph.line_spacing = Pt(line)
    ppr = paragraph._p.get_or_add_pPr()
    if not bullet:
        ppr.set("marL", "0")
        ppr.set("indent", "0")
        etree.SubElement(ppr, qn("a:buNone"))
    elif bullet_color:
        clr = etree.SubElement(ppr, qn("a:buClr"))
        etree.SubElement(clr, qn("a:srgbClr"), val=style.hex(bullet_color))


class _Writer:
    """Fills one text frame paragraph by paragraph, with the gaps the PDF has between them."""

    def __init__(self, frame, style: _Style):
        self.frame, self.style, self.first, self.gap = frame, style, True, 0.0

    def text(self, text: str, *, after: float = 0, bullet: bool = False, bullet_color: str | None = None,
             level: int = 0, before: float | None = None, size: float | None = None,
             color: str | None = None, bold: bool | None = None, line: float | None = None) -> None:
        p = _paragraph(self.frame, self.first)
        space = 0.0 if self.first else (self.gap if before is None else max(before, self.gap))
        _format(p, space_before=space, bullet=bullet, bullet_color=bullet_color, level=level, line=line,
                style=self.style)
        _runs(p, text, style=self.style, size=size, color=color, bold=bold)
        self.first, self.gap = False, after

    def head(self, s: Slide) -> None:
        g = SLIDE
        if s.intro and s.statement:  # a statement alone, larger than the body text
            self.text(s.intro, size=g.statement_pt, line=g.statement_pt * g.line_height, color="primary",
                      after=g.head_gap)
        elif s.intro:
            self.text(s.intro, after=g.head_gap)
        if s.caption:  # the second level's size, bold in the primary colour
            self.text(s.caption, level=1, color="primary", bold=True, after=g.head_gap)

    def bullets(self, s: Slide, column: tuple[Bullet, ...]) -> None:
        g = SLIDE
        for i, b in enumerate(column):
            between = g.plain_gap if s.plain else g.bullet_gap
            self.text(b.text, bullet=not s.plain, bullet_color=s.tone, before=between if i else None)
            for item in b.items:
                self.text(item, bullet=True, level=1, before=g.sub_gap)


def _text_style(box, style: _Style) -> None:
    """A text box's own style (the master's apply to placeholders only): the first level the
    body text's, the second the caption's."""
    g, size, script = SLIDE, SLIDE.sizes[0], style.script
    _list_style(box, _ppr(script, "lvl1pPr", mar_l=0, indent=0, size=size, color=style.hex("ink"), font=MINOR,
                          space_before=0, line=size * g.line_height, bullet=None),
                _ppr(script, "lvl2pPr", mar_l=0, indent=0, size=g.smaller(size), color=style.hex("primary"),
                     font=MINOR, space_before=0, line=g.smaller(size) * g.line_height, bullet=None, bold=True))


# -- slides ----------------------------------------------------------------------------

def _fill_footer(slide, layout, s: Slide, job: Job, style: _Style) -> None:
    for ph in layout.placeholders:
        kind = ph.placeholder_format.type
        if kind not in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER):
            continue
        slide.shapes.clone_placeholder(ph)
        shape = slide.placeholders[ph.placeholder_format.idx]
        shape.text_frame.auto_size = MSO_AUTO_SIZE.NONE
        shape.text_frame.word_wrap = True
        p = shape.text_frame.paragraphs[0]
        if kind == PP_PLACEHOLDER.FOOTER:
            _runs(p, footer_text(job.document), style=style)
        else:
            # A slide-number field: PowerPoint renumbers it when slides are moved.
            field = etree.Element(qn("a:fld"), type="slidenum", id=SLIDENUM_FIELD_ID)
            end = p._p.find(qn("a:endParaRPr"))
            if end is None:
                p._p.append(field)
            else:
                end.addprevious(field)
            etree.SubElement(field, qn("a:rPr"), style.lang or {"lang": job.content.language})
            etree.SubElement(field, qn("a:t")).text = str(s.number)


def _title(slide, s: Slide, job: Job, style: _Style) -> None:
    g = SLIDE
    shape = slide.shapes.title
    _place(shape, g.margin_x, g.bar_padding, g.body_width, g.title_box, MSO_ANCHOR.MIDDLE)
    frame = shape.text_frame
    p = frame.paragraphs[0]
    _runs(p, s.title, style=style)
    if s.continued:
        _runs(p, " " + job.content.handout.labels.continued, style=style, size=g.continued_pt, bold=False)
    if s.subtitle:
        sub = frame.add_paragraph()
        sub.line_spacing = Pt(g.subtitle_pt * g.title_line_height)
        _runs(sub, s.subtitle, style=style, size=g.subtitle_pt, bold=False)
        for run in sub.runs:
            run.font._rPr.set("cap", "all")
            if not style.script.complex:  # tracking would pull joined letters apart
                run.font._rPr.set("spc", str(round(g.subtitle_pt * 8)))  # 0.08 em, as in the PDF


def _add_cover(prs, layouts: dict, s: Slide, style: _Style) -> None:
    """The title slide, on the Title Slide layout: its title placeholder and its subtitle
    placeholder (subtitle, event, venue and date, presenters), styled by the layout."""
    g = SLIDE
    slide = prs.slides.add_slide(layouts["cover"])
    title = slide.shapes.title
    title.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    title.text_frame.word_wrap = True
    _runs(title.text_frame.paragraphs[0], s.title, style=style)
    sub = slide.placeholders[1]
    sub.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    sub.text_frame.word_wrap = True
    writer = _Writer(sub.text_frame, style)
    if s.subtitle:
        writer.text(s.subtitle, level=1, after=g.head_gap)
    for line in s.lines:
        writer.text(line)
    if s.presenters:
        if s.caption:
            writer.text(s.caption, level=1, before=g.head_gap)
        writer.text(s.presenters, before=0 if s.caption else g.head_gap)


def _picture(slide, s: Slide, job: Job) -> None:
    """The slide's figure, as large as its box allows, centred, with its alternative text."""
    from ..assets import fitted
    g, data = SLIDE, job.images[s.figure.file]
    w, h = fitted(data, g.body_width, s.figure_height)
    picture = slide.shapes.add_picture(io.BytesIO(data), emu(g.margin_x + (g.body_width - w) / 2),
                                       emu(g.body_top), emu(w), emu(h))
    picture._element.nvPicPr.cNvPr.set("descr", plain(s.figure.alt))
    picture.name = "Picture"


def _textbox(slide, x: float, y: float, w: float, h: float, name: str, style: _Style):
    box = slide.shapes.add_textbox(emu(x), emu(y), emu(w), emu(h))
    box.name = name
    _place(box, x, y, w, h, MSO_ANCHOR.TOP)
    _text_style(box, style)
    return box


def _remove(shape) -> None:
    element = shape._element
    element.getparent().remove(element)


def _add_slide(prs, layouts: dict, s: Slide, job: Job, style: _Style) -> None:
    g = SLIDE
    if s.kind == "title":
        _add_cover(prs, layouts, s, style)
        return
    columns = s.columns
    layout = layouts["two"] if len(columns) == 2 else layouts["one"]
    slide = prs.slides.add_slide(layout)
    _title(slide, s, job, style)
    body_bottom = g.body_bottom - s.footnote_height
    if len(columns) == 2:
        if s.head_height:
            head = _Writer(_textbox(slide, g.margin_x, g.body_top, g.body_width, s.head_height, "Introduction",
                                    style).text_frame, style)
            head.head(s)
        width = g.column_width(2)
        for i, column in enumerate(columns):
            ph = slide.placeholders[i + 1]
            if not column:  # the last slide of a list may fill only its first column
                _remove(ph)
                continue
            top = g.body_top + s.head_height
            _place(ph, _column_x(i, style.script), top, width, body_bottom - top, MSO_ANCHOR.TOP)
            _Writer(ph.text_frame, style).bullets(s, column)
    elif s.figure is not None:
        _remove(slide.placeholders[1])
        _picture(slide, s, job)
    else:
        ph = slide.placeholders[1]
        if s.intro or s.caption or s.bullets:
            _place(ph, g.margin_x, g.body_top, g.body_width, body_bottom - g.body_top, MSO_ANCHOR.TOP)
            writer = _Writer(ph.text_frame, style)
            writer.head(s)
            writer.bullets(s, columns[0])
        else:
            _remove(ph)  # a title-only slide: no empty "Click to add text" box
    if s.footnote:
        box = _textbox(slide, g.margin_x, g.body_bottom - s.footnote_height + g.footnote_gap, g.body_width,
                       s.footnote_height - g.footnote_gap, "Footnote", style)
        _list_style(box, _ppr(style.script, "lvl1pPr", mar_l=0, indent=0, size=g.footnote_pt,
                              color=style.hex("muted"), font=MINOR, space_before=0,
                              line=g.footnote_pt * g.line_height, bullet=None))
        _Writer(box.text_frame, style).text(s.footnote)
    if s.tone:
        # Over the master's stripe: brown under gaps, green under recommendations. Plain XML:
        # an autoshape would bring the template's shadow along.
        slide.shapes._spTree.append(_rectangle(slide.shapes._next_shape_id, f"Rule ({s.tone})", 0,
                                               g.bar_height, g.width, g.stripe, style.hex(s.tone)))
    _fill_footer(slide, layout, s, job, style)
    if s.notes:
        frame = slide.notes_slide.notes_text_frame
        for i, note in enumerate(s.notes):
            p = _paragraph(frame, i == 0)
            _runs(p, note, style=style, size=NOTES_PT, color="ink")


# -- the file --------------------------------------------------------------------------

def _properties(prs, job: Job) -> None:
    c = job.content
    props = prs.core_properties
    built = job.built.astimezone(dt.timezone.utc).replace(tzinfo=None)
    props.title = plain(c.handout.title)
    props.subject = plain(c.title)
    props.author = f"{plain(c.publisher_name)} ({c.publisher})"
    props.last_modified_by = c.publisher
    props.keywords = ", ".join(plain(k) for k in c.keywords)
    props.comments = plain(c.description)
    props.language = c.language
    props.version = job.version
    props.revision = 1
    props.created = props.modified = props.last_printed = built


def render_pptx(job: Job, slides: list[Slide]) -> bytes:
    compile_xpaths("pptx")
    style = _Style(job)
    prs = Presentation()
    prs.slide_width, prs.slide_height = emu(SLIDE.width), emu(SLIDE.height)
    _set_theme(prs, style)
    _style_master(prs, style)
    layouts = _layouts(prs, style)
    for s in slides:
        _add_slide(prs, layouts, s, job, style)
    _notes_master(prs, style)
    _properties(prs, job)
    buffer = io.BytesIO()
    prs.save(buffer)
    return stable_zip(buffer.getvalue(), job.built)


def render(job: Job) -> dict[str, bytes]:
    return {PPTX: render_pptx(job, slides_of(job))}
