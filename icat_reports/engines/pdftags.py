"""WeasyPrint's PDF/UA-1 output, with its structure tree completed for screen readers.

WeasyPrint (70) tags the PDF from the HTML: headings, paragraphs, lists, tables with header
cells, links, the document language, the title shown in the window. Its tree is built page by
page, though, which leaves things a screen reader gets wrong; `write_tagged_pdf` mends them
on the finished PDF objects (a WeasyPrint finisher), before anything is written:

- an element that runs across a page break becomes one structure element again, not one per
  page (a list split in two would be read as two lists; WeasyPrint issue #2903);
- running headers and footers (page margin boxes) become pagination artifacts: WeasyPrint marks
  their text but leaves it outside the tree, neither tagged content nor artifact (issue #1836);
- a table header repeated on a continuation page becomes an artifact, and the cells below it
  point to the header cells of the first page;
- a footnote (CSS `float: footnote`) is laid out in the page's footnote area, which WeasyPrint
  tags as a loose element between two pages' content (it also keeps the page's content from
  being joined into one element); the note becomes a /Note (with the /ID PDF/UA asks for),
  read right after its call, a /Reference, where the text refers to it, and its number a /Lbl;
- leader dots (the table of contents) and whatever the HTML hides from assistive technology
  (aria-hidden="true": a slide's footer, say) become artifacts; header cells get their /Scope,
  link annotations their text as description, and figures a bounding box in PDF coordinates.

To know which fragments belong to the same HTML element, the element of every structure element
is recorded while WeasyPrint builds the tree (`weasyprint.pdf.tags._build_box_tree`, wrapped for
the duration of one write). If a later WeasyPrint no longer has that function, the PDF is still
tagged as WeasyPrint tags it, and tests/test_a11y.py says what is missing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import pydyf

log = logging.getLogger(__name__)

VARIANT = "pdf/ua-1"


@dataclass
class _Record:
    """What the tree builder saw: the HTML source of each structure element, decoration."""
    sources: dict[int, tuple] = field(default_factory=dict)       # object number -> source
    decoration: set[tuple[int, int]] = field(default_factory=set)  # (page index, MCID)
    footnote_areas: set[int] = field(default_factory=set)           # object numbers


_local = threading.local()   # the record of the write in progress in this thread, if any
_install = threading.Lock()
_traced: bool | None = None  # whether WeasyPrint's tree builder is followed (None: not yet tried)


def write_tagged_pdf(document, **options) -> bytes:
    """document.write_pdf(**options) as PDF/UA-1, its structure tree mended as described above."""
    record = _Record()
    _local.record = record if _follow_weasyprint() else None
    try:
        return document.write_pdf(pdf_variant=VARIANT, finisher=lambda doc, pdf: mend(pdf, record, doc),
                                  **options)
    finally:
        _local.record = None


def _follow_weasyprint() -> bool:
    """Wrap WeasyPrint's tree builder (once per process) so that it reports to this thread's
    record; without a record, in another thread or another write, the wrapper only passes on."""
    global _traced
    with _install:
        if _traced is None:
            _traced = _wrap_tree_builder()
        return _traced


def _wrap_tree_builder() -> bool:
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder
        from weasyprint.pdf import tags
        original = tags._build_box_tree
    except (ImportError, AttributeError):  # another WeasyPrint: keep its own tagging
        log.warning("cannot follow WeasyPrint's PDF tagging; its structure tree is left as it is")
        return False

    def painted(box):
        """The boxes under box that carry marked content: text and images."""
        for child in getattr(box, "children", ()):
            if isinstance(child, (boxes.TextBox, boxes.ReplacedBox)):
                yield child
            else:
                yield from painted(child)

    def traced(box, parent, pdf, page_number, nums, annotations, page_tags):
        record = getattr(_local, "record", None)
        elements = original(box, parent, pdf, page_number, nums, annotations, page_tags)
        if record is None:
            yield from elements
            return
        source = box._box if isinstance(box, AbsolutePlaceholder) else box
        if getattr(source, "is_leader", False) or (
                source.element is not None and source.element.get("aria-hidden") == "true"):
            for child in (source, *painted(source)):
                if child in page_tags:
                    record.decoration.add((page_number, page_tags[child]["mcid"]))
        key = None if source.element is None else (source.element, source.element_tag)
        footnote_area = isinstance(source, boxes.FootnoteAreaBox)
        for element in elements:
            if key is not None:
                record.sources.setdefault(element.number, key)  # innermost call wins
            elif footnote_area:
                record.footnote_areas.add(element.number)
            yield element

    tags._build_box_tree = traced
    pydyf.PDF.page_references = property(_page_references)
    return True


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf's page_references, computed once per page count rather than on every call.

    WeasyPrint's tree builder asks for it once per element tagged, and pydyf rebuilds the
    whole tuple each time: a 470-page report spent 22 s there. Pages are only ever appended
    to 'Kids', so its length tells whether the tuple is still right.
    """
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references"] = cached
    return cached[1]


# -- mending the finished tree -----------------------------------------------------------

def _number(reference) -> int | None:
    """The object number of an indirect reference (b'12 0 R'), None for anything else."""
    if isinstance(reference, (bytes, str)):
        parts = reference.split()
        if len(parts) == 3 and parts[2] in (b"R", "R"):
            return int(parts[0])
    return None


class _Tree:
    def __init__(self, pdf: pydyf.PDF, record: _Record):
        self.pdf, self.record = pdf, record
        root = self.get(pdf.catalog["StructTreeRoot"])
        self.parent_tree = self.get(root["ParentTree"])
        self.document = self.get(root["K"][0])
        self.pages = [_number(r) for r in pdf.page_references]
        self.page_index = {number: index for index, number in enumerate(self.pages)}
        self.replaced: dict[int, int] = {}          # merged-away element -> element it joined
        self.artifacts: set[tuple[int, int]] = set(record.decoration)  # (page, MCID)
        self.header_ids: dict[str, object] = {}      # repeated TH's ID -> the first TH's ID

    def get(self, reference):
        number = _number(reference)
        return None if number is None else self.pdf.objects[number]

    def is_element(self, kid) -> bool:
        obj = self.get(kid)
        return isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"

    def page(self, element) -> int:
        return self.page_index[_number(element["Pg"])]

    def resolve(self, number):
        """The element an element was merged into, if it was."""
        while number in self.replaced:
            number = self.replaced[number]
        return number

    def source(self, element):
        return self.record.sources.get(element.number)

    # -- footnotes -------------------------------------------------------------------------

    def place_footnotes(self) -> None:
        """Each note of a page's footnote area into the tree right after its call, as a /Note;
        the emptied areas leave the tree."""
        if not self.record.footnote_areas:
            return
        calls = {}
        for number, (html, tag) in self.record.sources.items():
            if tag.endswith("::footnote-call"):
                calls.setdefault(html, number)
        kept = pydyf.Array()
        for kid in self.document["K"]:
            area = self.get(kid) if self.is_element(kid) else None
            if area is None or area.number not in self.record.footnote_areas:
                kept.append(kid)
                continue
            left = pydyf.Array(k for k in area["K"] if not self.place_note(k, calls))
            area["K"] = left
            if left:
                kept.append(kid)
        self.document["K"] = kept

    def place_note(self, kid, calls: dict) -> bool:
        note = self.get(kid) if self.is_element(kid) else None
        source = self.source(note) if note is not None else None
        number = calls.get(source[0]) if source is not None else None
        if number is None:
            return False
        call = self.pdf.objects[number]
        parent = self.get(call["P"])
        kids = parent["K"]
        at = next((i for i, k in enumerate(kids) if _number(k) == number), None)
        if at is None:
            return False
        call["S"] = "/Reference"
        note["S"] = "/Note"
        note["ID"] = pydyf.String(f"note-{note.number}")
        note["P"] = parent.reference
        for inner in self.descendants(note):
            found = self.source(inner)
            if found is not None and found[1].endswith("::footnote-marker"):
                inner["S"] = "/Lbl"
        kids.insert(at + 1, note.reference)
        return True

    # -- merging fragments ---------------------------------------------------------------

    def merge(self, element) -> None:
        """Join adjacent children that are fragments of one HTML element, then recurse."""
        kept, seen_groups = pydyf.Array(), {}
        for kid in self.parts(element):
            obj = self.get(kid) if self.is_element(kid) else None
            if obj is None:
                kept.append(kid)
                continue
            source, tag = self.source(obj), obj["S"]
            if tag in ("/THead", "/TFoot") and source is not None and source in seen_groups:
                self.drop_repeated_header(obj, self.get(seen_groups[source]))
                continue
            last = self.get(kept[-1]) if kept and self.is_element(kept[-1]) else None
            if (last is not None and source is not None and self.source(last) == source
                    and last["S"] == tag):
                self.join(last, obj)
                continue
            if tag in ("/THead", "/TFoot") and source is not None:
                seen_groups[source] = kid
            kept.append(kid)
        element["K"] = kept
        for kid in kept:
            if self.is_element(kid):
                self.merge(self.get(kid))

    def parts(self, element, owner=None):
        """element's children, with a child of its own kind dissolved into it: a link inside a
        link (its ::after, a leader: boxes with annotations of their own), so that one link
        reads as one; a list inside itself (the anonymous boxes of a multi-column list)."""
        owner = owner or element
        for kid in element["K"]:
            obj = self.get(kid) if self.is_element(kid) else None
            if obj is not None and element["S"] == obj["S"] and (
                    obj["S"] == "/Link" or
                    (self.source(obj) is not None and self.source(obj) == self.source(element))):
                self.join(owner, obj, append=False)
                yield from self.parts(obj, owner)
                self.replaced[obj.number] = owner.number
            else:
                yield kid

    def join(self, target, fragment, append=True) -> None:
        """Move the fragment's content into target, the same element's earlier fragment."""
        kids = pydyf.Array()
        for kid in fragment["K"]:
            if isinstance(kid, int) and fragment["Pg"] != target["Pg"]:
                kid = self.add(pydyf.Dictionary({"Type": "/MCR", "Pg": fragment["Pg"], "MCID": kid}))
            elif self.is_element(kid):
                self.get(kid)["P"] = target.reference
            kids.append(kid)
        if append:
            target["K"].extend(kids)
            self.replaced[fragment.number] = target.number
        else:
            fragment["K"] = kids

    def add(self, obj):
        self.pdf.add_object(obj)
        return obj.reference

    def drop_repeated_header(self, repeated, first) -> None:
        """A header row group repeated on a continuation page: its text becomes an artifact,
        and its header cells' IDs are mapped to those of the first page's header."""
        for mcid_page in self.content_of(repeated):
            self.artifacts.add(mcid_page)
        firsts = [c for c in self.descendants(first) if c["S"] == "/TH" and "ID" in c]
        repeats = [c for c in self.descendants(repeated) if c["S"] == "/TH" and "ID" in c]
        for old, new in zip(repeats, firsts):
            self.header_ids[old["ID"].string] = new["ID"]

    def descendants(self, element):
        for kid in element["K"]:
            if self.is_element(kid):
                obj = self.get(kid)
                yield obj
                yield from self.descendants(obj)

    def content_of(self, element):
        """(page, MCID) of every piece of marked content under element."""
        for kid in element["K"]:
            if isinstance(kid, int):
                yield self.page(element), kid
            elif self.is_element(kid):
                yield from self.content_of(self.get(kid))
            else:
                obj = self.get(kid)
                if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/MCR":
                    yield self.page_index[_number(obj["Pg"])], obj["MCID"]

    # -- after merging ---------------------------------------------------------------------

    def reachable(self) -> set[int]:
        found, stack = set(), [self.document]
        while stack:
            element = stack.pop()
            found.add(element.number)
            stack.extend(self.get(k) for k in element["K"] if self.is_element(k))
        return found

    def prune(self, element) -> bool:
        """Remove artifact content from element and its children, and the children it empties;
        False if element itself is left empty."""
        kept = pydyf.Array()
        for kid in element["K"]:
            if isinstance(kid, int):
                if (self.page(element), kid) in self.artifacts:
                    continue
            elif self.is_element(kid):
                if not self.prune(self.get(kid)):
                    continue
            else:
                obj = self.get(kid)
                if (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/MCR" and
                        (self.page_index[_number(obj["Pg"])], obj["MCID"]) in self.artifacts):
                    continue
            kept.append(kid)
        had_content = len(element["K"]) > 0
        element["K"] = kept
        return bool(kept) or not had_content

    def finish_cells(self, reachable: set[int]) -> None:
        for number in reachable:
            element = self.pdf.objects[number]
            if element["S"] == "/TH":
                scope = "/Row" if self._scope(element) == "row" else "/Column"
                element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope
            elif element["S"] == "/TD" and "A" in element and "Headers" in element["A"]:
                element["A"]["Headers"] = pydyf.Array(
                    self.header_ids.get(h.string, h) for h in element["A"]["Headers"])

    def finish_groups(self, reachable: set[int]) -> None:
        """Roles WeasyPrint leaves as /NonStruct: a <figure> (an image and its caption) is a
        /Div, a box (<aside>, with its own heading) a /Sect; a numbered list says so."""
        for number in reachable:
            element = self.pdf.objects[number]
            source = self.source(element)
            if source is None:
                continue
            tag = source[1]
            if element["S"] == "/NonStruct" and tag in self.GROUPS:
                element["S"] = self.GROUPS[tag]
            elif element["S"] == "/L" and tag == "ol" and any(
                    kid["S"] == "/Lbl" for item in self.descendants(element) if item["S"] == "/LI"
                    for kid in (self.get(k) for k in item["K"] if self.is_element(k))):
                element.setdefault("A", pydyf.Dictionary({"O": "/List"}))["ListNumbering"] = "/Decimal"

    GROUPS = {"figure": "/Div", "aside": "/Sect"}

    def describe_links(self, reachable: set[int]) -> None:
        """A link annotation's description (/Contents) is its text, not its target."""
        for number in reachable:
            link = self.pdf.objects[number]
            source = self.source(link)
            if link["S"] != "/Link" or source is None or source[1].split(":")[0] != "a":
                continue
            text = " ".join("".join(source[0].itertext()).split())
            for kid in link["K"]:
                objr = self.get(kid)
                if text and isinstance(objr, pydyf.Dictionary) and objr.get("Type") == "/OBJR":
                    self.get(objr["Obj"])["Contents"] = pydyf.String(text)

    def place_figures(self, reachable: set[int], page_heights: list[float]) -> None:
        """A Figure's /BBox in PDF points from the bottom left, as the format wants: WeasyPrint
        writes CSS pixels from the top left (0.75 pt a pixel at zoom 1)."""
        for number in reachable:
            figure = self.pdf.objects[number]
            box = figure.get("A", {}).get("BBox") if figure["S"] == "/Figure" else None
            if box is None or len(box) != 4:
                continue
            top = page_heights[self.page(figure)] * 0.75
            x1, y1, x2, y2 = (float(v) for v in box)
            figure["A"]["BBox"] = pydyf.Array((x1 * 0.75, top - y2 * 0.75, x2 * 0.75, top - y1 * 0.75))

    def _scope(self, element):
        source = self.source(element)
        return source[0].get("scope") if source else None

    def rewrite_content(self) -> None:
        """Artifact content: its tag becomes /Artifact, its MCID goes."""
        by_page: dict[int, set[int]] = {}
        for page, mcid in self.artifacts:
            by_page.setdefault(page, set()).add(mcid)
        for page, mcids in by_page.items():
            stream = self.get(self.pdf.objects[self.pages[page]]["Contents"])
            ops = stream.stream
            for i, op in enumerate(ops):
                if isinstance(op, pydyf.Dictionary) and op.get("MCID") in mcids and i:
                    ops[i - 1] = "/Artifact"
                    ops[i] = pydyf.Dictionary({"Type": "/Pagination"})

    def rewrite_parent_tree(self, reachable: set[int]) -> None:
        nums = self.parent_tree["Nums"]
        for i in range(0, len(nums), 2):
            key, value = nums[i], nums[i + 1]
            if isinstance(value, pydyf.Array):  # a page: its MCIDs in order
                nums[i + 1] = pydyf.Array(self._parent(key, mcid, ref, reachable)
                                          for mcid, ref in enumerate(value))
            else:                                # an annotation's structure parent
                number = _number(value)
                nums[i + 1] = self.pdf.objects[self.resolve(number)].reference

    def _parent(self, page, mcid, reference, reachable):
        number = self.resolve(_number(reference))
        if (page, mcid) in self.artifacts or number not in reachable:
            return b"null"
        return self.pdf.objects[number].reference

    def margin_content(self, reachable: set[int]) -> None:
        """Marked content whose element is outside the tree: the page margins' text."""
        nums = self.parent_tree["Nums"]
        for i in range(0, len(nums), 2):
            if isinstance(nums[i + 1], pydyf.Array):
                for mcid, reference in enumerate(nums[i + 1]):
                    number = _number(reference)
                    if self.resolve(number) not in reachable:
                        self.artifacts.add((nums[i], mcid))


def mend(pdf: pydyf.PDF, record: _Record, document=None) -> None:
    """The finisher: mend the structure tree of a PDF WeasyPrint has just tagged."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    tree = _Tree(pdf, record)
    if record.sources:
        tree.place_footnotes()
        tree.merge(tree.document)
    tree.margin_content(tree.reachable())
    tree.prune(tree.document)
    reachable = tree.reachable()
    tree.finish_cells(reachable)
    tree.finish_groups(reachable)
    tree.describe_links(reachable)
    if document is not None:
        tree.place_figures(reachable, [page.height for page in document.pages])
    tree.rewrite_content()
    tree.rewrite_parent_tree(reachable)
    # Elements now outside the tree are left empty rather than removed (object numbers stay).
    for number, obj in enumerate(pdf.objects):
        if (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"
                and number not in reachable):
            obj.clear()
