"""Outputs to accessibility findings: what a screen reader, a keyboard or a low-vision reader
would stumble on in each file the project builds.

    python -m icat_reports.a11y build/            one line per output: OK or N problems, then them
    python -m icat_reports.a11y build/x.pdf ...   the same for the files named

check_pdf, check_docx, check_pptx and check_html each take a path and return findings, one plain
sentence each; an empty list is a pass. What each one verifies is in its docstring.
check_html runs axe-core in Debian's headless Chromium (tools/a11y/axe.js, installed with
`npm ci --prefix tools/a11y`); the other checks are pure Python.

Exit status of the command: 0 every output passes, 1 some have findings, 2 a tool is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

from lxml import etree

PROJECT = Path(__file__).resolve().parent.parent
AXE_SCRIPT = PROJECT / "tools" / "a11y" / "axe.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Outputs that are not tagged, on purpose, and why (the README says so too).
UNTAGGED = {
    # The slides are imposed three to a page beside ruled lines, for paper, by pikepdf; the
    # same slides are tagged in handout-slides.pdf.
    "handout-notes.pdf": "printed notes; its slides are tagged in handout-slides.pdf",
}


class ToolMissing(RuntimeError):
    """A checker cannot run here (node, Chromium or the npm packages are missing)."""


# -- PDF -----------------------------------------------------------------------------------

# Operators that put marks on the page: text, paths, shadings, images and forms.
_PAINT = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do",
          "INLINE IMAGE"}
_HEADING = re.compile(r"^/H([1-6])$")
# Alternative text that is only a file name ('image.png', what python-pptx writes) says nothing.
_FILE_NAME = re.compile(r"^[\w\-. ]+\.(png|jpe?g|gif|svg|emf|wmf|bmp|tiff?|webp)$", re.IGNORECASE)


def _alt_problem(descr: str | None, decorative: bool) -> str | None:
    """What is wrong with a picture's alternative text, if anything."""
    text = (descr or "").strip()
    if decorative:
        return None
    if not text:
        return " has no alternative text"
    if _FILE_NAME.match(text):
        return "'s alternative text is a file name"
    return None


def heading_order(levels: list[int], prefix: str, none: str) -> list[str]:
    """Headings must start at the top level and never skip one on the way down."""
    if not levels:
        return [none]
    findings = []
    if levels[0] != 1:
        findings.append(f"the first heading is {prefix}{levels[0]}, not {prefix}1")
    for before, after in zip(levels, levels[1:]):
        if after > before + 1:
            findings.append(f"heading levels skip from {prefix}{before} to {prefix}{after}")
            break
    return findings


def check_pdf(path) -> list[str]:
    """PDF/UA essentials, read with pikepdf:

    - catalog: /Lang, /MarkInfo /Marked true, /ViewerPreferences /DisplayDocTitle true, an
      outline (bookmarks), XMP dc:title and the PDF/UA identification (pdfuaid:part);
    - structure tree: present; headings start at H1 and never skip a level going down; every
      Figure has /Alt, and its /BBox, if any, on its page; every Table has header cells and
      every TH a /Scope; L holds LI, LI holds Lbl/LBody; every link annotation belongs to a
      Link element and has a /Contents;
    - content: every mark on every page is inside marked content, and every piece of marked
      content is either an artifact or reachable from the tree (nothing half-tagged), and the
      tree points only at content that exists.
    """
    import pikepdf

    path = Path(path)
    findings: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if not str(root.get("/Lang", "")).strip():
            findings.append("no document language (/Lang)")
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            findings.append("not marked as tagged (/MarkInfo /Marked true)")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            findings.append("the window shows the file name, not the title (/DisplayDocTitle)")
        with pdf.open_outline() as outline:
            if not outline.root:
                findings.append("no bookmarks (outline)")
        meta = pdf.open_metadata()
        if not str(meta.get("dc:title", "")).strip():
            findings.append("no title in the XMP metadata (dc:title)")
        if str(meta.get("pdfuaid:part", "")) != "1":
            findings.append("not identified as PDF/UA-1 (pdfuaid:part)")
        if "/StructTreeRoot" not in root:
            findings.append("not tagged: no structure tree")
            return findings
        findings += _check_tree(pdf)
    return findings


def _kids(element):
    import pikepdf
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _check_tree(pdf) -> list[str]:
    import pikepdf

    findings: list[str] = []
    page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    tree_content: dict[int, set[int]] = defaultdict(set)  # page -> MCIDs the tree points at
    tree_annots: set[tuple] = set()                        # annotations the tree points at
    headings: list[int] = []
    counts: dict[str, int] = defaultdict(int)

    def page_of(obj, inherited):
        pg = obj.get("/Pg")
        return page_index.get(pg.objgen, inherited) if pg is not None else inherited

    def walk(element, parent_tag, page):
        tag = str(element.get("/S"))
        counts[tag] += 1
        page = page_of(element, page)
        if match := _HEADING.match(tag):
            headings.append(int(match.group(1)))
        if tag == "/Figure" and not str(element.get("/Alt", element.get("/ActualText", ""))).strip():
            findings.append("a Figure has no alternative text (/Alt)")
        if tag == "/Figure" and "/BBox" in element.get("/A", {}) and page is not None:
            x1, y1, x2, y2 = (float(v) for v in element.A.BBox)
            left, bottom, right, top = (float(v) for v in pdf.pages[page].mediabox)
            if not (left - 1 <= x1 <= x2 <= right + 1 and bottom - 1 <= y1 <= y2 <= top + 1):
                findings.append("a Figure's bounding box (/BBox) lies outside its page")
        if tag == "/TH" and "/Scope" not in element.get("/A", {}):
            findings.append("a table header cell (TH) has no /Scope")
        if parent_tag == "/L" and tag not in ("/LI", "/Caption", "/L"):
            findings.append(f"a list (L) holds {tag}, not LI")
        if parent_tag == "/LI" and tag not in ("/Lbl", "/LBody"):
            findings.append(f"a list item (LI) holds {tag}, not Lbl or LBody")
        if tag == "/Table":
            cells = [str(e.get("/S")) for e in _descendants(element)]
            if "/TH" not in cells:
                findings.append("a table has no header cells (TH)")
        for kid in _kids(element):
            if isinstance(kid, int):
                tree_content[page].add(int(kid))
            elif isinstance(kid, pikepdf.Dictionary):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    tree_content[page_of(kid, page)].add(int(kid.MCID))
                elif kind == "/OBJR":
                    tree_annots.add(kid.Obj.objgen)
                    if tag != "/Link" and kid.Obj.get("/Subtype") == "/Link":
                        findings.append(f"a link annotation belongs to {tag}, not to a Link")
                elif "/S" in kid:
                    walk(kid, tag, page)

    for top in _kids(pdf.Root.StructTreeRoot):
        walk(top, None, None)

    findings += heading_order(headings, "H", "no headings (H1-H6) in the structure tree")

    for index, page in enumerate(pdf.pages):
        used, loose = _marked_content(page)
        if loose:
            findings.append(f"page {index + 1}: {loose} marks outside any marked content "
                            "(neither tagged nor artifact)")
        orphans = used - tree_content[index]
        if orphans:
            findings.append(f"page {index + 1}: {len(orphans)} pieces of tagged content are not in "
                            "the structure tree (neither tagged nor artifact)")
        missing = tree_content[index] - used
        if missing:
            findings.append(f"page {index + 1}: the structure tree points at {len(missing)} "
                            "pieces of content that do not exist")
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            if annot.objgen not in tree_annots:
                findings.append(f"page {index + 1}: a link is not in the structure tree")
            if not str(annot.get("/Contents", "")).strip():
                findings.append(f"page {index + 1}: a link has no description (/Contents)")
        if page.obj.get("/Annots") and page.obj.get("/Tabs") != "/S":
            findings.append(f"page {index + 1}: tab order does not follow the structure (/Tabs /S)")
    return _dedupe(findings)


def _descendants(element):
    import pikepdf
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _descendants(kid)


def _marked_content(page) -> tuple[set[int], int]:
    """The MCIDs a page's content uses, and how many marks it paints outside marked content."""
    import pikepdf
    used, loose, depth = set(), 0, 0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BMC", "BDC"):
            depth += 1
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                used.add(int(operands[1].MCID))
        elif op == "EMC":
            depth -= 1
        elif op in _PAINT and depth <= 0:
            loose += 1
    return used, loose


def _dedupe(findings: list[str]) -> list[str]:
    """Repeated findings once, with their count."""
    counted: dict[str, int] = {}
    for finding in findings:
        counted[finding] = counted.get(finding, 0) + 1
    return [f"{f} ({n} times)" if n > 1 else f for f, n in counted.items()]


# -- Word ----------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def check_docx(path) -> list[str]:
    """Word essentials, read from the XML:

    - the document language (w:lang of the document defaults) and a title (core properties);
    - headings use heading styles (outline levels), start at level 1 and never skip a level;
      text styled to look like a heading without being one is not detected;
    - every table marks its first row as a header row repeated on each page (w:tblHeader) and
      has a title or description (w:tblCaption / w:tblDescription) for screen readers;
    - every picture or drawing has alternative text (wp:docPr/@descr) that is more than a file
      name, or is marked decorative;
    - every hyperlink has text.
    """
    findings: list[str] = []
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        document = etree.fromstring(package.read("word/document.xml"))
        styles = etree.fromstring(package.read("word/styles.xml"))
        core = etree.fromstring(package.read("docProps/core.xml")) if "docProps/core.xml" in names else None
        parts = [document] + [etree.fromstring(package.read(n)) for n in sorted(names)
                              if re.match(r"word/(header|footer)\d*\.xml$", n)]

    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    if lang is None or not lang.get(_w("val")):
        findings.append("no document language (w:lang in the document defaults)")
    title = core.find("dc:title", NS) if core is not None else None
    if title is None or not (title.text or "").strip():
        findings.append("no title in the document properties")

    levels = _outline_levels(styles)
    headings = []
    for paragraph in document.iter(_w("p")):
        style = paragraph.find("w:pPr/w:pStyle", NS)
        own = paragraph.find("w:pPr/w:outlineLvl", NS)
        level = int(own.get(_w("val"))) if own is not None else levels.get(
            style.get(_w("val")) if style is not None else "Normal")
        if level is not None and level < 9 and "".join(paragraph.itertext()).strip():
            headings.append(level + 1)
    findings += heading_order(headings, "level ", "no headings: no paragraph has a heading style")

    for number, table in enumerate(document.iter(_w("tbl")), 1):
        first_row = table.find("w:tr", NS)
        if first_row is None or first_row.find("w:trPr/w:tblHeader", NS) is None:
            findings.append(f"table {number}: the first row is not marked as a header row (w:tblHeader)")
        described = [table.find(f"w:tblPr/w:{name}", NS) for name in ("tblCaption", "tblDescription")]
        if not any(d is not None and (d.get(_w("val")) or "").strip() for d in described):
            findings.append(f"table {number}: no title or description (w:tblCaption)")

    for part in parts:
        for doc_pr in part.iter(f"{{{NS['wp']}}}docPr"):
            if problem := _alt_problem(doc_pr.get("descr"), _decorative(doc_pr)):
                findings.append(f"a picture{problem} ({doc_pr.get('name')})")
        for shape in part.iter(f"{{{NS['v']}}}shape"):
            if shape.find("v:imagedata", NS) is not None and not (shape.get("alt") or "").strip():
                findings.append("a picture (VML) has no alternative text")
        for link in part.iter(_w("hyperlink")):
            if not "".join(t.text or "" for t in link.iter(_w("t"))).strip():
                findings.append("a hyperlink has no text")
    return _dedupe(findings)


def _outline_levels(styles) -> dict[str, int]:
    """Paragraph style id -> outline level (0 = level 1), following w:basedOn."""
    own, based = {}, {}
    for style in styles.iterfind("w:style[@w:type='paragraph']", NS):
        sid = style.get(_w("styleId"))
        level = style.find("w:pPr/w:outlineLvl", NS)
        if level is not None:
            own[sid] = int(level.get(_w("val")))
        parent = style.find("w:basedOn", NS)
        if parent is not None:
            based[sid] = parent.get(_w("val"))

    def level_of(sid, seen=()):
        if sid in own:
            return own[sid]
        if sid in based and sid not in seen:
            return level_of(based[sid], (*seen, sid))
        return None
    return {sid: lvl for sid in {*own, *based} if (lvl := level_of(sid)) is not None}


def _decorative(doc_pr) -> bool:
    """Word 2019's 'Mark as decorative' (adec:decorative val=1 in the docPr's extensions)."""
    return any(e.tag.endswith("}decorative") and e.get("val") in ("1", "true") for e in doc_pr.iter())


# -- PowerPoint ------------------------------------------------------------------------------

def check_pptx(path) -> list[str]:
    """PowerPoint essentials, read with python-pptx:

    - the presentation has a title (core properties);
    - every slide has a title placeholder with text, and the title comes first in the reading
      order (the order of the slide's shape tree, which screen readers follow);
    - every picture, chart or other graphic frame, and every group, has alternative text
      (cNvPr/@descr) that is more than a file name, or is marked decorative;
    - every table has a header row (a:tblPr/@firstRow).
    """
    from pptx import Presentation

    findings: list[str] = []
    prs = Presentation(str(path))
    if not (prs.core_properties.title or "").strip():
        findings.append("no title in the presentation properties")
    for number, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title
        if title is None:
            findings.append(f"slide {number}: no title placeholder")
        elif not title.text_frame.text.strip():
            findings.append(f"slide {number}: the title placeholder is empty")
        else:
            first = next((s for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip()
                          or s.shape_type is not None and s.element.tag.endswith(("}pic", "}graphicFrame"))),
                         None)
            if first is not None and first.shape_id != title.shape_id:
                findings.append(f"slide {number}: the title is not first in the reading order "
                                f"('{first.name}' is)")
        for element in slide.shapes._spTree.iter():
            if not element.tag.endswith(("}pic", "}graphicFrame", "}grpSp")):
                continue
            c_nv_pr = next((e for e in element.iter() if e.tag.endswith("}cNvPr")), None)
            table = element.find(".//a:tbl", NS)
            if table is not None:  # a table is read cell by cell: it needs its header row
                properties = table.find("a:tblPr", NS)
                if properties is None or properties.get("firstRow") not in ("1", "true"):
                    findings.append(f"slide {number}: a table has no header row (firstRow)")
                continue
            if c_nv_pr is None:
                continue
            if problem := _alt_problem(c_nv_pr.get("descr"), _decorative(c_nv_pr)):
                kind = "picture" if element.tag.endswith("}pic") else "graphic"
                findings.append(f"slide {number}: a {kind}{problem} ({c_nv_pr.get('name')})")
    return _dedupe(findings)


# -- HTML ------------------------------------------------------------------------------------

def axe_available() -> str | None:
    """None if check_html can run here, else what is missing (node, Chromium, npm packages)."""
    if not shutil.which("node"):
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed ({CHROMIUM})"
    if not (AXE_SCRIPT.parent / "node_modules" / "axe-core").is_dir():
        return "axe-core is not installed: run `npm ci --prefix tools/a11y` (make test does)"
    return None


def check_html(path) -> list[str]:
    """WCAG 2.1 A and AA and axe's best practices, checked by axe-core in headless Chromium at
    1280 and 320 CSS pixels wide (landmarks, headings, contrast as rendered, alternative text,
    table headers, language, title, ...), plus what axe does not test: keyboard focus visible on
    every focusable element, a skip link first that shows when focused, no sideways scrolling
    at 320 pixels (reflow), and no request leaving the page."""
    missing = axe_available()
    if missing:
        raise ToolMissing(missing)
    run = subprocess.run(["node", str(AXE_SCRIPT), str(Path(path).resolve())], capture_output=True,
                         text=True, timeout=180, env={**os.environ, "CHROMIUM": CHROMIUM})
    if run.returncode != 0:
        raise RuntimeError(f"axe did not run: {run.stderr.strip() or run.stdout.strip()}")
    findings = []
    for per_width in json.loads(run.stdout).values():
        for width, violations in per_width.items():
            for v in violations:
                example = v["nodes"][0][:200] if v["nodes"] else ""
                count = f"{len(v['nodes'])} elements, e.g. " if len(v["nodes"]) > 1 else ""
                findings.append(f"{v['id']} ({v['impact']}) at {width} px: {v['help']}: "
                                f"{count}{example}")
    return findings


# -- the command ---------------------------------------------------------------------------

CHECKS = {".pdf": check_pdf, ".docx": check_docx, ".pptx": check_pptx, ".html": check_html}


def check(path) -> tuple[list[str], str | None]:
    """Findings for one output, and a note when it is exempt (untagged on purpose)."""
    path = Path(path)
    if path.name in UNTAGGED:
        return [], UNTAGGED[path.name]
    return CHECKS[path.suffix](path), None


def outputs(paths) -> list[Path]:
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in CHECKS)
        else:
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1])
        return 0 if args else 2
    files = outputs(args)
    if not files:
        print(f"no outputs to check in {' '.join(args)}; build them first (make all)", file=sys.stderr)
        return 2
    status = 0
    width = max(len(str(f)) for f in files)
    for file in files:
        try:
            findings, note = check(file)
        except ToolMissing as error:
            print(f"{str(file):{width}}  NOT CHECKED: {error}")
            status = 2
            continue
        if note:
            print(f"{str(file):{width}}  OK (untagged on purpose: {note})")
        elif not findings:
            print(f"{str(file):{width}}  OK")
        else:
            print(f"{str(file):{width}}  {len(findings)} problem{'s' if len(findings) > 1 else ''}")
            for finding in findings:
                print(f"    - {finding}")
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
