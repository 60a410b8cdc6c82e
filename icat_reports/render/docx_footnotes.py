"""Real Word footnotes, which python-docx has no API for.

A footnote lives in its own part, /word/footnotes.xml, related to the main document by the
footnotes relationship. The part begins with the two notes Word draws between the text and
the notes (the separator, id -1, and the continuation separator, id 0; settings.xml names
them in w:footnotePr, as Word itself writes). Each note is a w:footnote with an id, whose
first paragraph begins with the note's own mark (w:footnoteRef); in the text, a run holding
w:footnoteReference with that id shows the number. Word and LibreOffice number the marks
themselves, in the order of the references.

    footnotes = Footnotes(document)
    footnotes.define_styles(size_pt=8.5)
    footnotes.reference(paragraph, 1)            # the mark in the text
    footnotes.add(1, lambda note: note.add_paragraph("The note.", "footnote text"))
"""

from __future__ import annotations

from typing import Callable

from docx.blkcntnr import BlockItemContainer
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml, register_element_cls
from docx.oxml.ns import nsdecls, qn
from docx.oxml.section import CT_HdrFtr
from docx.parts.story import StoryPart
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from . import ooxml

PARTNAME = "/word/footnotes.xml"
TEXT_STYLE = "footnote text"            # Word's built-in names (shown as "Footnote Text")
REFERENCE_STYLE = "footnote reference"
TEXT_STYLE_ID, REFERENCE_STYLE_ID = "FootnoteText", "FootnoteReference"
SEPARATOR_IDS = (-1, 0)

_SEPARATOR = ('<w:footnote w:type="{kind}" w:id="{id}"><w:p><w:pPr>'
              '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
              '<w:r><w:{kind}/></w:r></w:p></w:footnote>')
_PART_XML = (f'<w:footnotes {nsdecls("w", "r")}>'
             + _SEPARATOR.format(kind="separator", id=SEPARATOR_IDS[0])
             + _SEPARATOR.format(kind="continuationSeparator", id=SEPARATOR_IDS[1])
             + "</w:footnotes>")


class CT_Footnote(CT_HdrFtr):
    """`w:footnote`: paragraphs and tables, as a header's (python-docx adds blocks to it)."""


register_element_cls("w:footnote", CT_Footnote)


class FootnotesPart(StoryPart):
    """/word/footnotes.xml: a story part, so that its paragraphs find the document's styles
    and its hyperlinks and pictures get relationships of their own."""


class Footnotes:
    """The footnotes of one document; the part is added on the first note or reference."""

    def __init__(self, document: Document):
        self.document = document
        self._part: FootnotesPart | None = None

    @property
    def part(self) -> FootnotesPart:
        if self._part is None:
            main = self.document.part
            self._part = FootnotesPart(PackURI(PARTNAME), CT.WML_FOOTNOTES, parse_xml(_PART_XML),
                                       main.package)
            main.relate_to(self._part, RT.FOOTNOTES)
            properties = OxmlElement("w:footnotePr")
            for number in SEPARATOR_IDS:
                note = OxmlElement("w:footnote")
                note.set(qn("w:id"), str(number))
                properties.append(note)
            ooxml.set_setting(self.document, properties)
        return self._part

    def define_styles(self, size_pt: float, base: str = "Normal") -> None:
        """The note text's paragraph style and the superscript mark's character style."""
        styles = self.document.styles
        names = {style.name for style in styles}
        if TEXT_STYLE not in names:
            text = ooxml.add_style(styles, TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
            ooxml.make_builtin(text, TEXT_STYLE_ID)
        text = styles[TEXT_STYLE]
        text.base_style = styles[base]
        text.font.size = Pt(size_pt)
        text.paragraph_format.space_before = Pt(0)
        text.paragraph_format.space_after = Pt(2)
        text.paragraph_format.line_spacing = 1.0
        if REFERENCE_STYLE not in names:
            mark = ooxml.add_style(styles, REFERENCE_STYLE, WD_STYLE_TYPE.CHARACTER)
            ooxml.make_builtin(mark, REFERENCE_STYLE_ID)
        mark = styles[REFERENCE_STYLE]
        mark.base_style = styles["Default Paragraph Font"]
        mark.font.superscript = True
        for style in (text, mark):
            ooxml.set_style_meta(style, priority=99, quick=False)

    def reference(self, paragraph: Paragraph, number: int, parent=None):
        """The note's number in the text: a run appended to parent (default: the paragraph)."""
        self.part  # a reference without the part would break the file
        run = _mark_run("w:footnoteReference")
        run[-1].set(qn("w:id"), str(number))
        (paragraph._p if parent is None else parent).append(run)
        return run

    def add(self, number: int, fill: Callable[[BlockItemContainer], object]) -> None:
        """Note `number`: fill(container) adds its paragraphs (and lists); the note's own mark
        is put at the start of the first paragraph afterwards."""
        if number in SEPARATOR_IDS or number < 0:
            raise ValueError(f"footnote id {number} is reserved for the separators")
        element = OxmlElement("w:footnote")
        element.set(qn("w:id"), str(number))
        self.part.element.append(element)
        fill(BlockItemContainer(element, self.part))
        first = element.find(qn("w:p"))
        if first is None:
            first = OxmlElement("w:p")
            element.insert(0, first)
        space = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.set(qn("xml:space"), "preserve")
        text.text = " "
        space.append(text)
        at = 1 if first.find(qn("w:pPr")) is not None else 0
        first.insert(at, space)
        first.insert(at, _mark_run("w:footnoteRef"))


def _mark_run(tag: str):
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), REFERENCE_STYLE_ID)
    rpr.append(style)
    run.append(rpr)
    run.append(OxmlElement(tag))
    return run
