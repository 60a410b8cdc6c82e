"""Finished outputs to drafts: every page and slide marked DRAFT, with the build date.

A draft circulated for comment must never be mistaken for the final text. The marks are put
on the finished files, so that no renderer knows drafts: on every page of a PDF a diagonal
watermark, drawn as a page artifact (outside the structure tree: a screen reader does not
read it on every page); in the Word file a watermark in the page headers, as Word's own
Design > Watermark makes it; on every slide of the PowerPoint deck a label. The final build
has none of this.
"""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)


def mark(files: dict[str, bytes], words: str, color: str, font: str) -> dict[str, bytes]:
    """The files with their draft marks; words is what they say ("DRAFT · 1 December 2026")."""
    out = {}
    for name, data in files.items():
        if name.endswith(".pdf"):
            out[name] = pdf(data, words, color, font)
        elif name.endswith(".docx"):
            out[name] = docx_file(data, words, color)
        elif name.endswith(".pptx"):
            out[name] = pptx_file(data, words, color)
        elif name.endswith(".html"):
            out[name] = html(data, words, color)
        else:
            out[name] = data
    return out


def _stamp(width: float, height: float, words: str, color: str, font: str) -> bytes:
    """One transparent page of the given size holding the diagonal words (WeasyPrint)."""
    from html import escape

    from .engines.weasy import HTML
    size = min(width, height) / (7 + 0.45 * len(words))
    page = f"""<html><head><style>
    @page {{ size: {width}pt {height}pt; margin: 0; }}
    body {{ margin: 0; }}
    p {{ position: absolute; left: 0; top: {height / 2 - size / 2}pt; width: {width}pt; margin: 0;
         text-align: center; font: 700 {size}pt "{font}", sans-serif; color: {color}; opacity: 0.18;
         transform: rotate(-{35 if width < height else 20}deg); letter-spacing: 0.06em; white-space: nowrap; }}
    </style></head><body><p>{escape(words)}</p></body></html>"""
    return HTML(string=page).write_pdf()


def pdf(data: bytes, words: str, color: str, font: str) -> bytes:
    import pikepdf
    document = pikepdf.open(io.BytesIO(data))
    stamps: dict[tuple, pikepdf.Pdf] = {}
    for page in document.pages:
        box = page.mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        key = (round(width), round(height))
        if key not in stamps:
            stamps[key] = pikepdf.open(io.BytesIO(_stamp(width, height, words, color, font)))
        page.add_overlay(stamps[key].pages[0])
        # The overlay is the page's last content stream: mark it as an artifact of the layout
        # (a watermark), so that it stays out of the text a screen reader reads and of the
        # PDF/UA structure tree.
        contents = page.obj.Contents
        last = contents[-1] if isinstance(contents, pikepdf.Array) else contents
        last.write(b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n" + last.read_bytes() + b"\nEMC")
    out = io.BytesIO()
    document.save(out, deterministic_id=True)
    return out.getvalue()


_WATERMARK = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
     xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
  <w:pict>
    <v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e">
      <v:path textpathok="t" o:connecttype="custom"/>
      <v:textpath on="t" fitshape="t"/>
    </v:shapetype>
    <v:shape id="DraftWatermark" o:spid="_x0000_s2049" type="#_x0000_t136"
      style="position:absolute;margin-left:0;margin-top:0;width:460pt;height:90pt;rotation:315;z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin"
      o:allowincell="f" fillcolor="#{color}" stroked="f">
      <v:fill opacity=".2"/>
      <v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="{words}"/>
    </v:shape>
  </w:pict>
</w:r>"""


def docx_file(data: bytes, words: str, color: str) -> bytes:
    import docx
    from docx.oxml import parse_xml
    from xml.sax.saxutils import quoteattr
    document = docx.Document(io.BytesIO(data))
    run = _WATERMARK.replace("{color}", color.lstrip("#")).replace('"{words}"', quoteattr(words))
    seen = set()
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            part = header.part if not header.is_linked_to_previous else None
            if part is None or id(part) in seen:
                continue
            seen.add(id(part))
            paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            paragraph._p.append(parse_xml(run))
    out = io.BytesIO()
    document.save(out)
    from .ooxml_zip import stable_zip
    import datetime as dt
    return stable_zip(out.getvalue(), _zip_time(data) or dt.datetime(1980, 1, 1))


def _zip_time(data: bytes):
    import datetime as dt
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.infolist()[0]
        return dt.datetime(*info.date_time)


def pptx_file(data: bytes, words: str, color: str) -> bytes:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt
    deck = Presentation(io.BytesIO(data))
    width = deck.slide_width
    for slide in deck.slides:
        box = slide.shapes.add_textbox(Emu(width - Emu(int(width * 0.34))), Emu(int(Pt(6))),
                                       Emu(int(width * 0.32)), Emu(int(Pt(24))))
        box.name = "Draft label"
        paragraph = box.text_frame.paragraphs[0]
        run = paragraph.add_run()
        run.text = words
        run.font.size, run.font.bold = Pt(14), True
        run.font.color.rgb = RGBColor.from_string(color.lstrip("#").upper())
        from pptx.enum.text import PP_ALIGN
        paragraph.alignment = PP_ALIGN.RIGHT
    out = io.BytesIO()
    deck.save(out)
    from .ooxml_zip import stable_zip
    return stable_zip(out.getvalue(), _zip_time(data))


def html(data: bytes, words: str, color: str) -> bytes:
    from html import escape
    banner = (f'<div class="draft-mark" role="note" style="position:sticky;top:0;z-index:10;background:{color};'
              f'color:#fff;text-align:center;font-weight:700;padding:0.3em;letter-spacing:0.08em">'
              f"{escape(words)}</div>").encode()
    at = data.find(b"<body")
    end = data.find(b">", at) + 1 if at >= 0 else -1
    return data[:end] + banner + data[end:] if end > 0 else data
