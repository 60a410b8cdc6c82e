"""The WordprocessingML python-docx has no API for, as small raw-XML helpers.

Fields (PAGE, NUMPAGES, a pre-filled TOC), bookmarks, hyperlinks, repeating table header
rows, a table style with a header row, borders, shading, fonts without theme overrides, the
document language and the package's leftover parts. word.py says what the document is; this
module only knows how Word spells it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Length
from docx.styles import BabelFish
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run

# Child order the schema requires (only the parts we insert into). Word refuses to open a
# file whose elements are out of order, so every insertion goes through _place().
_ORDER = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
            "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
            "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
            "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
    "pBdr": ("top", "left", "bottom", "right", "between", "bar"),
    "tcPr": ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
             "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"),
    "trPr": ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
             "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden"),
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"),
    "sectPr": ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
               "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
               "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
               "printerSettings", "sectPrChange"),
    "rPr": ("ins", "del", "moveFrom", "moveTo", "rStyle", "rFonts", "b", "bCs", "i", "iCs",
            "caps", "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss", "imprint",
            "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
            "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
            "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
            "rPrChange"),
    "settings": ("evenAndOddHeaders", "characterSpacingControl", "savePreviewPicture",
                 "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
                 "docVars", "rsids", "mathPr", "themeFontLang"),
}
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _element(tag: str, **attributes):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _place(parent, element, replace: bool = True):
    """Put element into parent where the schema wants it, replacing one of the same tag."""
    name = _local(element)
    if replace:
        for old in parent.findall(element.tag):
            parent.remove(old)
    order = _ORDER[_local(parent)]
    later = set(order[order.index(name) + 1:])
    following = next((child for child in parent if _local(child) in later), None)
    if following is not None:
        following.addprevious(element)
    else:
        parent.append(element)
    return element


# -- runs, hyperlinks, bookmarks ----------------------------------------------------------

def add_run(parent, paragraph: Paragraph, text: str = "") -> Run:
    """A python-docx Run appended to parent (a paragraph or hyperlink element)."""
    r = OxmlElement("w:r")
    parent.append(r)
    run = Run(r, paragraph)
    if text:
        run.text = text
    return run


_CLOSING = {")": "(", "]": "[", "}": "{"}
LEFT_TO_RIGHT_MARK = "\u200e"


def direction_pieces(text: str) -> list[tuple[str, bool]]:
    """text cut where Word changes a run's direction inside right-to-left text, each piece
    with whether it is left to right, as the Unicode bidirectional algorithm (UAX #9) would
    resolve it in a right-to-left paragraph:

    - from a Latin (strong left-to-right) letter to the last Latin letter or European digit
      before the next Arabic letter or Arabic-Indic digit, with the spaces and symbols
      between and a closing bracket whose opening one it holds: "UNODC", "A/RES/61/180",
      "ICAT (UNODC)" keep their order;
    - a number: European digits joined by single separators, with its number signs:
      "978-0-00-000000-0", "2010-12-13", "50%". One with separators starts with a
      left-to-right mark (U+200E, invisible): LibreOffice shows "2010-12-13" between Arabic
      words as "13-12-2010" whatever the run's direction, unless a strong left-to-right
      character comes first (as Word does in a right-to-left run).

    The rest runs right to left: spaces and punctuation at a piece's edges, and brackets
    around a Latin word, are placed as Arabic readers expect."""
    from unicodedata import bidirectional
    kinds = [bidirectional(char) for char in text]
    length = len(text)

    def latin(index: int) -> int:  # the last index of a Latin stretch starting at index
        end, opened = index, []
        for scan in range(index, length):
            kind, char = kinds[scan], text[scan]
            if kind in ("R", "AL", "AN"):
                break
            if char in "([{":
                opened.append(char)
            elif char in _CLOSING and opened and opened[-1] == _CLOSING[char]:
                opened.pop()
                end = scan
            if kind in ("L", "EN", "ET"):
                end = scan
        return end

    def number(index: int) -> tuple[int, bool]:  # its last index; whether it has separators
        end, separated = index, False
        while end + 1 < length:
            kind = kinds[end + 1]
            joined = (kind in ("ES", "CS") and kinds[end] == "EN" and end + 2 < length
                      and kinds[end + 2] == "EN")
            if kind not in ("EN", "ET") and not joined:
                break
            end += 1
            separated |= joined
        return end, separated

    pieces: list[tuple[str, bool]] = []
    start = index = 0
    while index < length:
        separated = False
        if kinds[index] == "L":
            end = latin(index)
        elif kinds[index] == "EN":
            end, separated = number(index)
            if end + 1 < length and kinds[end + 1] == "L":  # "24th", "3D": one piece
                end = latin(end + 1)
        else:
            index += 1
            continue
        if index > start:
            pieces.append((text[start:index], False))
        mark = LEFT_TO_RIGHT_MARK if separated else ""
        pieces.append((mark + text[index:end + 1], True))
        start = index = end + 1
    if start < length:
        pieces.append((text[start:], False))
    return pieces


def add_hyperlink(paragraph: Paragraph, url: str | None = None, anchor: str | None = None):
    """An empty w:hyperlink to an external url or to a bookmark; fill it with add_run()."""
    link = _element("w:hyperlink", history="1")
    if url is not None:
        link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    paragraph._p.append(link)
    return link


def add_bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    """Bookmark the paragraph's whole content (a TOC entry links here)."""
    p = paragraph._p
    start = _element("w:bookmarkStart", id=bookmark_id, name=name)
    p.insert(1 if p.pPr is not None else 0, start)
    p.append(_element("w:bookmarkEnd", id=bookmark_id))


# -- fields ---------------------------------------------------------------------------

def _fld_char(parent, paragraph: Paragraph, kind: str) -> None:
    add_run(parent, paragraph)._r.append(_element("w:fldChar", fldCharType=kind))


def begin_field(paragraph: Paragraph, instruction: str, parent=None) -> None:
    """Open a complex field: begin, instruction, separate. Its cached result follows."""
    parent = paragraph._p if parent is None else parent
    _fld_char(parent, paragraph, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    add_run(parent, paragraph)._r.append(instr)
    _fld_char(parent, paragraph, "separate")


def end_field(paragraph: Paragraph, parent=None) -> None:
    _fld_char(paragraph._p if parent is None else parent, paragraph, "end")


def add_field(paragraph: Paragraph, instruction: str, result: str = "") -> Run:
    """A whole field such as PAGE or NUMPAGES, showing result until it is updated.

    Returns the run holding the result, to be formatted like its neighbours.
    """
    begin_field(paragraph, instruction)
    run = add_run(paragraph._p, paragraph, result)
    end_field(paragraph)
    return run


def add_toc_entry(paragraph: Paragraph, text: str, bookmark: str, page: str = "",
                  right_to_left: bool = False) -> Run | None:
    """One pre-filled TOC line as Word writes it: a link to the heading's bookmark holding
    the text, a tab (the 'toc N' style's end-aligned dot leader) and a PAGEREF field whose
    cached result is page. Without a page, the text alone. Returns the page number's run.
    In right-to-left text, its Latin words are runs of their own (direction_pieces)."""
    link = add_hyperlink(paragraph, anchor=bookmark)
    if not right_to_left:
        add_run(link, paragraph, text)
    else:
        for piece, left_to_right in direction_pieces(text):
            run = add_run(link, paragraph, piece)
            if left_to_right:
                set_left_to_right(run)
    if not page:
        return None
    add_run(link, paragraph)._r.append(OxmlElement("w:tab"))
    begin_field(paragraph, f"PAGEREF {bookmark} \\h", parent=link)
    run = add_run(link, paragraph, page)
    end_field(paragraph, parent=link)
    return run


def set_setting(document: Document, element) -> None:
    """Put a document setting (w:footnotePr, w:updateFields) into settings.xml, replacing
    one of the same name, in the order the schema wants."""
    _place(document.settings.element, element)


def set_frame(paragraph: Paragraph, *, x, y, width, y_align: str | None = None) -> None:
    """Put a paragraph into a frame at a fixed place of the page (x, y from the page's edges;
    or, with y_align, at the top, center or bottom of the text area). Consecutive paragraphs
    with the same frame share it. Text of the page flows above and below (notBeside)."""
    attributes = {"w": int(round(width.twips)), "wrap": "notBeside", "hAnchor": "page",
                  "x": int(round(x.twips))}
    if y_align:
        attributes.update(vAnchor="margin", yAlign=y_align)
    else:
        attributes.update(vAnchor="page", y=int(round(y.twips)))
    _place(paragraph._p.get_or_add_pPr(), _element("w:framePr", **attributes))


_DECORATIVE = ('<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
               '<a:ext uri="{C183D7F6-B498-43B3-948B-1728B52AA6E4}">'
               '<adec:decorative xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative"'
               ' val="1"/></a:ext></a:extLst>')


def add_page_background(paragraph: Paragraph, image, width: Length, height: Length) -> None:
    """A decorative picture behind the text of the paragraph's page, from its top left
    corner: python-docx's inline picture turned into a floating one (wp:anchor)."""
    shape = paragraph.add_run().add_picture(image, width=width, height=height)
    inline = shape._inline
    doc_pr = inline.docPr
    doc_pr.set("descr", "")
    doc_pr.append(parse_xml(_DECORATIVE))
    graphic = inline.find(qn("a:graphic"))
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp")} distT="0" distB="0" distL="0" distR="0" simplePos="0"'
        f' relativeHeight="0" behindDoc="1" locked="1" layoutInCell="1" allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{int(width)}" cy="{int(height)}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/></wp:anchor>')
    anchor.append(doc_pr)
    anchor.append(parse_xml(f'<wp:cNvGraphicFramePr {nsdecls("wp")}/>'))
    anchor.append(graphic)
    inline.getparent().replace(inline, anchor)


def modern_layout(document: Document) -> None:
    """Lay out as Word 2013 and later; the template's mode 14 opens in 'Compatibility Mode'."""
    for setting in document.settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


# -- numbering ----------------------------------------------------------------------------

NUMBER_LEVELS = 3  # the nesting an ordered list may have (the outline's lists go no deeper)


def add_decimal_numbering(document: Document, indent_twips: int = 360) -> int:
    """An abstract numbering of decimal levels ("1.", "2." ...), each indented further; the
    id of the w:abstractNum. Each list then gets its own w:num (add_list_numbering)."""
    numbering = document.part.numbering_part.element
    abstracts = numbering.findall(qn("w:abstractNum"))
    abstract_id = 1 + max((int(a.get(qn("w:abstractNumId"))) for a in abstracts), default=-1)
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="%{level + 1}."/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent_twips * (level + 1)}" w:hanging="{indent_twips}"/></w:pPr>'
        f'</w:lvl>' for level in range(NUMBER_LEVELS))
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                         f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>')
    if abstracts:
        abstracts[-1].addnext(abstract)  # every w:abstractNum precedes every w:num
    else:
        numbering.insert(0, abstract)
    return abstract_id


def add_list_numbering(document: Document, abstract_id: int, start: int = 1, level: int = 0) -> int:
    """A w:num of its own for one list, restarting at start; its numId for the paragraphs."""
    numbering = document.part.numbering_part.element
    num_id = 1 + max((int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))), default=0)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'))
    return num_id


def set_numbering(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    """Number the paragraph as an item of list num_id at level (0 = outermost)."""
    num_pr = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                       f'<w:numId w:val="{num_id}"/></w:numPr>')
    _place(paragraph._p.get_or_add_pPr(), num_pr)


def style_numbering(style: BaseStyle) -> int | None:
    """The numId a (list) style numbers its paragraphs with, if any."""
    ppr = style.element.pPr
    num_id = ppr.find(f"{qn('w:numPr')}/{qn('w:numId')}") if ppr is not None else None
    return int(num_id.get(qn("w:val"))) if num_id is not None else None


# -- tables ---------------------------------------------------------------------------

def repeat_header(row) -> None:
    """Repeat this table row at the top of every page the table runs onto."""
    _place(row._tr.get_or_add_trPr(), _element("w:tblHeader", val="true"))


def cant_split(row) -> None:
    """Keep a row on one page."""
    _place(row._tr.get_or_add_trPr(), _element("w:cantSplit", val="true"))


def table_look(table, first_row: bool = True, first_column: bool = False) -> None:
    """Which conditional parts of the table style apply: header row, first column."""
    flags = {"firstRow": first_row, "lastRow": False, "firstColumn": first_column,
             "lastColumn": False, "noHBand": True, "noVBand": True}
    look = _element("w:tblLook", **{name: int(on) for name, on in flags.items()})
    # The legacy bit mask Word 2007 reads instead of the attributes above.
    look.set(qn("w:val"), f"{0x20 * first_row | 0x80 * first_column | 0x600:04X}")
    _place(table._tbl.tblPr, look)


def set_table_title(table, title: str) -> None:
    """The table's alternative-text title, which screen readers announce."""
    _place(table._tbl.tblPr, _element("w:tblCaption", val=title))


def add_table_style(styles, name: str, *, border: str, header_fill: str, header_color: str,
                    cell_margin: Length, size_pt: float):
    """A table style: thin horizontal rules, a shaded bold header row, a bold first column.

    Written as XML: python-docx can neither set table borders nor conditional formatting.
    """
    margin, half_points = int(round(cell_margin.twips)), int(round(size_pt * 2))
    xml = f"""
<w:style {nsdecls('w')} w:type="table" w:customStyle="1" w:styleId="{''.join(name.split())}">
  <w:name w:val="{escape(name)}"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="8" w:space="0" w:color="{border}"/>
      <w:bottom w:val="single" w:sz="8" w:space="0" w:color="{border}"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{border}"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="{margin // 2}" w:type="dxa"/><w:left w:w="{margin}" w:type="dxa"/>
      <w:bottom w:w="{margin // 2}" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/><w:color w:val="{header_color}"/></w:rPr>
    <w:tcPr>
      <w:tcBorders><w:bottom w:val="single" w:sz="12" w:space="0" w:color="{header_color}"/></w:tcBorders>
      <w:shd w:val="clear" w:color="auto" w:fill="{header_fill}"/>
    </w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="firstCol">
    <w:rPr><w:b/><w:bCs/></w:rPr>
  </w:tblStylePr>
</w:style>"""
    styles.element.append(parse_xml(xml))
    return styles[name]


# -- paragraph and style formatting python-docx cannot express ----------------------------

def _ppr(target):
    """The w:pPr of a style or a paragraph."""
    if isinstance(target, BaseStyle):
        return target.element.get_or_add_pPr()
    return target._p.get_or_add_pPr()


def set_border(target, side: str, color: str, size_eighths: int, space_pt: int = 4) -> None:
    """A paragraph border (top, left, bottom, right) on a style or paragraph."""
    ppr = _ppr(target)
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = _place(ppr, OxmlElement("w:pBdr"))
    _place(borders, _element(f"w:{side}", val="single", sz=size_eighths, space=space_pt,
                             color=color))


def clear_borders(target) -> None:
    ppr = _ppr(target)
    for borders in ppr.findall(qn("w:pBdr")):
        ppr.remove(borders)


def set_shading(target, fill: str) -> None:
    """The background colour of a style, a paragraph or a table cell."""
    parent = target._tc.get_or_add_tcPr() if hasattr(target, "_tc") else _ppr(target)
    _place(parent, _element("w:shd", val="clear", color="auto", fill=fill))


def set_contextual_spacing(style: BaseStyle, on: bool) -> None:
    """Whether the space between paragraphs of the same style is dropped."""
    ppr = _ppr(style)
    for old in ppr.findall(qn("w:contextualSpacing")):
        ppr.remove(old)
    if on:
        _place(ppr, OxmlElement("w:contextualSpacing"))


def clear_numbering(style: BaseStyle) -> None:
    """Drop a style's stray w:numPr (the template's Subtitle carries an empty one)."""
    ppr = style.element.pPr
    if ppr is not None:
        for num in ppr.findall(qn("w:numPr")):
            ppr.remove(num)


# -- fonts and language -----------------------------------------------------------------

def set_fonts(rpr, latin: str, east_asian: str, complex_script: str) -> None:
    """Name the font of each script slot, dropping theme fonts, which would override them."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(1 if rpr.find(qn("w:rStyle")) is not None else 0, fonts)
    for attribute in _THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)
    for attribute, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian),
                             ("cs", complex_script)):
        fonts.set(qn(f"w:{attribute}"), value)


def drop_theme_fonts(styles) -> None:
    """Remove the template styles' theme fonts, so that text inherits the document's fonts."""
    for fonts in list(styles.element.iter(qn("w:rFonts"))):
        if any(fonts.get(qn(a)) for a in _THEME_FONTS):
            fonts.getparent().remove(fonts)


def clear_character_spacing(rpr) -> None:
    """Drop letter-spacing and kerning from a w:rPr."""
    for tag in ("w:spacing", "w:kern"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)


def document_defaults(document: Document):
    """The w:rPr of w:docDefaults, which every style inherits."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    return rpr


def set_language(document: Document, language: str, *, complex_script: str | None = None,
                 east_asian: str | None = None) -> None:
    """The proofing language of all text (document defaults and any style that sets one):
    w:val, which the accessibility checks read as the document's language; and, when given,
    the language of complex-script text (w:bidi: Arabic, Hebrew) and of East Asian text
    (w:eastAsia), which Word proofs, breaks lines and picks fonts by. Without them the
    template's (ar-SA, en-US) stay."""
    rpr = document_defaults(document)
    if rpr.find(qn("w:lang")) is None:
        _place(rpr, OxmlElement("w:lang"))
    slots = [("w:val", language), ("w:bidi", complex_script), ("w:eastAsia", east_asian)]
    for lang in document.styles.element.iter(qn("w:lang")):
        for attribute, value in slots:
            if value:
                lang.set(qn(attribute), value)
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        for attribute, value in slots:
            if value:
                theme_lang.set(qn(attribute), value)


def _paragraph_defaults(document: Document):
    """The w:pPr of w:docDefaults, which every paragraph style inherits."""
    document_defaults(document)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        defaults.append(ppr_default)  # after w:rPrDefault, as the schema wants
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    return ppr


def set_right_to_left(document: Document) -> None:
    """Every paragraph right to left (w:bidi in the paragraph defaults: it starts at the
    right, its list number stands at the right, w:jc "left" and w:ind "left" mean its start)
    and every run's text too (w:rtl in the run defaults: set with the complex-script font,
    size, bold and italic). Once, in the defaults every style inherits, rather than on each
    paragraph and run: the file stays small, and a Word user can still change it in one
    place. Runs of Latin text say otherwise themselves (set_left_to_right)."""
    _place(_paragraph_defaults(document), OxmlElement("w:bidi"))
    _place(document_defaults(document), OxmlElement("w:rtl"))


def set_left_to_right(run: Run) -> None:
    """A run of Latin text (an acronym, a symbol, a web address) inside right-to-left text:
    w:rtl off, so that Word sets it left to right in the Latin font, as Word itself writes
    a Latin word typed into an Arabic line."""
    _place(run._r.get_or_add_rPr(), _element("w:rtl", val=0))


def set_section_right_to_left(section) -> None:
    """A section laid out right to left (w:bidi): its columns from the right, its page
    numbers' direction; the text's direction is the paragraphs'."""
    _place(section._sectPr, OxmlElement("w:bidi"))


def set_table_right_to_left(table) -> None:
    """A table whose first column is at the right (w:bidiVisual): its cells' order, borders
    and margins mirrored, as a right-to-left reader reads a table."""
    _place(table._tbl.tblPr, OxmlElement("w:bidiVisual"))


def set_east_asian_hint(rpr) -> None:
    """Characters East Asian and Latin text share (quotes, dashes, the ideographic space
    neighbours) in the East Asian font (w:hint), as in a Chinese Word's own documents."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _place(rpr, OxmlElement("w:rFonts"))
    fonts.set(qn("w:hint"), "eastAsia")


def _on(element) -> bool:
    return element is not None and element.get(qn("w:val"), "true") not in ("0", "false", "off")


def replace_italics(styles, emphasis_style_id: str) -> None:
    """No synthetic italics anywhere (CJK fonts have none; Word would slant the glyphs):
    w:i and w:iCs leave every style and the document defaults, where italics were a look
    (a caption, a quote, a publication's title: their colour and spacing stay); the Emphasis
    character style is bold instead, as emphasis in the text is (word.Report.run).

    Weight rather than the emphasis dots (w:em "underDot", GB/T 15834's zhuozhonghao):
    LibreOffice (7.4) does not read w:em at all and Google Docs has no emphasis marks, so
    the emphasis would vanish there; bold shows in every reader."""
    for rpr in list(styles.element.iter(qn("w:rPr"))):
        for tag in ("w:i", "w:iCs"):
            for old in rpr.findall(qn(tag)):
                rpr.remove(old)
    for style in styles.element.iterchildren(qn("w:style")):
        if style.get(qn("w:styleId")) == emphasis_style_id:
            _place(style.get_or_add_rPr(), OxmlElement("w:b"))


def complex_script_twins(rpr) -> None:
    """Beside each w:sz, w:b and w:i of a w:rPr, its complex-script twin (w:szCs, w:bCs,
    w:iCs), with the same value: Word sets right-to-left runs (w:rtl) and Arabic and Hebrew
    letters with the twins only (pandoc #6911)."""
    for latin, complex_script in (("w:sz", "w:szCs"), ("w:b", "w:bCs"), ("w:i", "w:iCs")):
        for old in rpr.findall(qn(complex_script)):
            rpr.remove(old)
        source = rpr.find(qn(latin))
        if source is not None:
            twin = OxmlElement(complex_script)
            for name, value in source.attrib.items():
                twin.set(name, value)
            source.addnext(twin)  # the schema puts each right after its Latin twin


def match_complex_script(style: BaseStyle) -> None:
    """Give complex-script text (Arabic, Hebrew) the style's size, bold and italic too."""
    rpr = style.element.rPr
    if rpr is not None:
        complex_script_twins(rpr)


# -- styles pane and package ----------------------------------------------------------------

def set_style_meta(style: BaseStyle, *, priority: int, quick: bool = True) -> None:
    """Show a style in the styles pane (and, if quick, the style gallery)."""
    style.hidden = False
    style.unhide_when_used = False
    style.priority = priority
    style.quick_style = quick
    semi_hidden = style.element.find(qn("w:semiHidden"))
    if semi_hidden is not None:
        style.element.remove(semi_hidden)


def make_builtin(style: BaseStyle, style_id: str) -> None:
    """Mark an added style as Word's built-in one of that name ('toc 1', 'Hyperlink'), with
    Word's id: python-docx adds every style as custom and would derive 'toc1'."""
    style.element.set(qn("w:styleId"), style_id)
    style.element.attrib.pop(qn("w:customStyle"), None)


_APP_XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>{application}</Application><Company>{company}</Company><DocSecurity>0</DocSecurity>
<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>
<HyperlinksChanged>false</HyperlinksChanged></Properties>"""


def replace_template_leftovers(document: Document, application: str, company: str) -> None:
    """Rewrite docProps/app.xml, which names 'Microsoft Macintosh Word' and counts the
    template's pages; drop the template's thumbnail, its empty bibliography part and its
    Word 2010 copy of the styles (stylesWithEffects), which would disagree with ours."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            # A plain Part: python-docx writes its bytes back as they were read.
            rel.target_part._blob = _APP_XML.format(application=escape(application),
                                                    company=escape(company)).encode("utf-8")
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, _STYLES_WITH_EFFECTS):
            document.part.rels.pop(rel_id)


def set_picture_alt(shape, text: str) -> None:
    """The alternative text Word shows and screen readers read for an inline picture."""
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", text)
    doc_pr.set("title", text)


def add_style(styles, name: str, style_type):
    """styles.add_style for a name known to be new (a lookup just failed): python-docx first
    scans every style's name to make sure, 1.3 ms a style."""
    from docx.styles.style import StyleFactory
    return StyleFactory(styles.element.add_style_of_type(BabelFish.ui2internal(name), style_type, False))


def _style_index(document: Document) -> dict[str, tuple[str, str, bool]]:
    """Each style name: (type, id, whether it is its type's default), in one pass over
    styles.xml. python-docx finds a name by XPath and the default of a type by walking every
    style, on each lookup (1.5 ms each, 0.05 s a build). The first style of a name is the one
    python-docx finds; the last default of a type the one it takes as the default."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    found: dict[str, tuple[str, str]] = {}
    defaults: dict[str, str] = {}
    for style in document.styles.element.iterchildren(f"{w}style"):
        name = style.find(f"{w}name")
        kind = style.get(f"{w}type") or "paragraph"
        if style.get(f"{w}default") in ("1", "true", "on"):
            defaults[kind] = style.get(f"{w}styleId")
        if name is not None and name.get(f"{w}val") not in found:
            found[name.get(f"{w}val")] = (kind, style.get(f"{w}styleId"))
    return {name: (kind, id, defaults.get(kind) == id) for name, (kind, id) in found.items()}


def remember_style_ids(document: Document) -> None:
    """Look each style name up once: python-docx scans every style for every paragraph.

    Half the Word file's build time went into that scan (python-docx issue #999 shows the same
    stack). Call it once every style exists; header and footer parts ask the document part.
    """
    part = document.part
    look_up = part.get_style_id
    known: dict = {}
    by_name = _style_index(document)

    def get_style_id(style_or_name, style_type):
        if style_or_name is None:
            return None
        named = isinstance(style_or_name, str)
        key = (named, style_or_name if named else style_or_name.style_id, style_type)
        if key not in known:
            found = by_name.get(BabelFish.ui2internal(style_or_name)) if named else None
            if found is not None and found[0] == style_type.xml_value:
                known[key] = None if found[2] else found[1]
            else:  # not there, or of another type: python-docx says what is wrong
                known[key] = look_up(style_or_name, style_type)
        return known[key]

    part.get_style_id = get_style_id
