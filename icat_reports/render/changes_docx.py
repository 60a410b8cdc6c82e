"""The comparison of two editions (changes.py) to a Word file with real tracked changes.

Every section of the current report is written with its texts; what changed since the
previous edition is marked as Word marks an edit: inserted words in `w:ins`, deleted words in
`w:del` (their text as `w:delText`), a paragraph added or removed by marking its paragraph
mark too, and a moved text as `w:moveFrom` where it was and `w:moveTo` where it is now. Word's
Review pane lists them; Accept All gives exactly the current text, Reject All exactly the
previous one. The author is the publisher, the date the build's. In the language's direction:
right to left for Arabic (paragraphs, runs, sections), its Latin words left to right.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..changes import SectionChanges
from ..locales import office_language, script_of
from . import ooxml


class _Marks:
    """Revision ids, author and date, shared by every mark of the file; and its direction."""

    def __init__(self, author: str, when: dt.datetime, right_to_left: bool = False):
        self.author, self.right_to_left = author, right_to_left
        self.date = (when.astimezone(dt.timezone.utc) if when.tzinfo else when).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next = 1

    def element(self, tag: str, **extra) -> OxmlElement:
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(self.next))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        for key, value in extra.items():
            element.set(qn(f"w:{key}"), value)
        self.next += 1
        return element

    def runs(self, text: str, deleted: bool = False) -> list:
        """The runs of a text: one, or in right-to-left text one per direction."""
        if not self.right_to_left:
            return [_run(text, deleted)]
        return [_run(piece, deleted, ltr) for piece, ltr in ooxml.direction_pieces(text)]


def _run(text: str, deleted: bool = False, left_to_right: bool = False) -> OxmlElement:
    run = OxmlElement("w:r")
    if left_to_right:  # Latin inside right-to-left text (ooxml.direction_pieces)
        rpr = OxmlElement("w:rPr")
        rtl = OxmlElement("w:rtl")
        rtl.set(qn("w:val"), "0")
        rpr.append(rtl)
        run.append(rpr)
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def _add(parent, runs) -> None:
    for run in runs:
        parent.append(run)


def _mark_paragraph(paragraph, marks: _Marks, tag: str) -> None:
    """Mark the paragraph mark itself as inserted or deleted (the paragraph came or went)."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    rpr.append(marks.element(tag))


def _write(paragraph, item, marks: _Marks) -> None:
    p = paragraph._p
    if item.kind == "same":
        _add(p, marks.runs(item.new))
    elif item.kind == "added":
        wrapper = marks.element("w:ins")
        _add(wrapper, marks.runs(item.new))
        p.append(wrapper)
        _mark_paragraph(paragraph, marks, "w:ins")
    elif item.kind == "removed":
        wrapper = marks.element("w:del")
        _add(wrapper, marks.runs(item.old, deleted=True))
        p.append(wrapper)
        _mark_paragraph(paragraph, marks, "w:del")
    elif item.kind in ("moved-in", "moved-out"):
        into = item.kind == "moved-in"
        import hashlib
        name = "move" + hashlib.sha256((item.new or item.old).encode()).hexdigest()[:8]
        start = marks.element("w:moveToRangeStart" if into else "w:moveFromRangeStart", name=name)
        p.append(start)
        wrapper = marks.element("w:moveTo" if into else "w:moveFrom")
        _add(wrapper, marks.runs(item.new if into else item.old, deleted=not into))
        p.append(wrapper)
        end = OxmlElement("w:moveToRangeEnd" if into else "w:moveFromRangeEnd")
        end.set(qn("w:id"), start.get(qn("w:id")))
        p.append(end)
        _mark_paragraph(paragraph, marks, "w:moveTo" if into else "w:moveFrom")
    else:  # reworded: word by word
        for piece in item.pieces:
            if piece.kind == "same":
                _add(p, marks.runs(piece.text))
            else:
                wrapper = marks.element("w:ins" if piece.kind == "added" else "w:del")
                _add(wrapper, marks.runs(piece.text, deleted=piece.kind == "removed"))
                p.append(wrapper)


def _write_moved(document, section: SectionChanges, level: int, marks: _Marks) -> None:
    """A section that moved, as one tracked move: where it was, its previous texts in a
    w:moveFrom range; where it is, its current texts in the w:moveTo range of the same name.
    Accepted, the section stands where it is now; rejected, where it was, as it was."""
    import hashlib
    into = section.kind == "moved-in"
    if into:
        title = next((i.new for i in section.items if i.level == "heading"), section.title)
        texts = [("heading", title)] + [(i.level, i.new) for i in section.items
                                        if i.level != "heading" and i.new is not None and i.kind != "moved-out"]
    else:
        texts = [(i.level, i.old) for i in section.items if i.old is not None]
    tag = "w:moveTo" if into else "w:moveFrom"
    name = "section-" + hashlib.sha256(section.id.encode()).hexdigest()[:8]
    start = marks.element(f"{tag}RangeStart", name=name)
    paragraphs = []
    for kind, text in texts:
        style = f"Heading {level}" if kind == "heading" else "List Bullet" if kind == "item" else None
        paragraph = document.add_paragraph(style=style)
        wrapper = marks.element(tag)
        _add(wrapper, marks.runs(text, deleted=not into))
        paragraph._p.append(wrapper)
        _mark_paragraph(paragraph, marks, tag)
        paragraphs.append(paragraph)
    if not paragraphs:
        return
    first = paragraphs[0]._p
    first.insert(first.index(first.find(qn("w:pPr"))) + 1, start)
    end = OxmlElement(f"{tag}RangeEnd")
    end.set(qn("w:id"), start.get(qn("w:id")))
    paragraphs[-1]._p.append(end)


def render(sections: list[SectionChanges], levels: dict[str, int], title: str, author: str,
           when: dt.datetime, language: str, theme=None) -> bytes:
    """The Word file; with the theme, in the report's page, fonts and styles (word.py)."""
    document = docx.Document()
    script = script_of(language)
    marks = _Marks(author, when, script.rtl)
    if theme is not None:
        from docx.shared import Emu, Mm
        from .word import PAPER_MM, define_styles
        page, section = theme.page, document.sections[0]
        section.page_width, section.page_height = (Mm(side) for side in PAPER_MM[page["size"]])
        section.top_margin, section.bottom_margin = Mm(page["margin_top_mm"]), Mm(page["margin_bottom_mm"])
        section.left_margin, section.right_margin = Mm(page["margin_left_mm"]), Mm(page["margin_right_mm"])
        define_styles(document, theme, Emu(section.page_width - section.left_margin - section.right_margin),
                      script)
        # The report's Title is the cover's, white on the primary colour: here it heads a page.
        from docx.shared import Pt, RGBColor
        title_style = document.styles["Title"]
        title_style.font.color.rgb = RGBColor.from_string(theme.hex("primary"))
        title_style.font.size = Pt(22)
        title_style.paragraph_format.space_before = Pt(0)
    if theme is not None or script.rtl or script.cjk:  # else the template's en-US would stay
        culture = office_language(language)
        ooxml.set_language(document, language,
                           complex_script=culture if script.complex else None,
                           east_asian=culture if script.cjk else None)
    if script.rtl and theme is None:  # define_styles has set the direction otherwise
        ooxml.set_right_to_left(document)
        for section in document.sections:
            ooxml.set_section_right_to_left(section)
    props = document.core_properties
    props.title, props.author, props.language = title[:255], author[:255], language
    stamp = (when.astimezone(dt.timezone.utc) if when.tzinfo else when).replace(tzinfo=None)
    props.created = props.modified = stamp
    document.add_paragraph(title, style="Title")
    for section in sections:
        level = min(3, levels.get(section.id, 1))
        if section.kind in ("moved-in", "moved-out"):
            _write_moved(document, section, level, marks)
            continue
        heading = document.add_paragraph(style=f"Heading {level}")
        title_items = [i for i in section.items if i.level == "heading"]
        if title_items:
            _write(heading, title_items[0], marks)
        else:
            from ..changes import Item
            kind = {"added": "added", "removed": "removed"}.get(section.kind, "same")
            _write(heading, Item(kind, section.title if kind != "removed" else None,
                                 section.title if kind != "added" else None), marks)
        for item in section.items:
            if item.level == "heading":
                continue
            style = "List Bullet" if item.level == "item" else None
            _write(document.add_paragraph(style=style), item, marks)
    buffer = io.BytesIO()
    document.save(buffer)
    from ..ooxml_zip import stable_zip
    return stable_zip(buffer.getvalue(), when)
