"""The report's HTML page to one PDF, laid out in parts on several cores and joined.

WeasyPrint lays out a document on one core, about 50 ms a page here. A long report is cut where
print starts a new page anyway (before each element of class `starts-page`), so every part lays
out exactly as it would inside the whole document:

1. `split`: part 0 is the front matter (cover and contents); the other parts are runs of
   consecutive pieces, balanced by their amount of text. Every part keeps the page's <head>
   and the wrappers (<main>, a section) that are open where it starts.
2. A forked process lays out each body part. Page numbers ("Page 3 of 40") are drawn last,
   in WeasyPrint's margin boxes: by then each process has said how many pages its part has
   and has been told its first page number and the total (`_numbered_margins`).
3. The front matter is laid out with the page numbers of the contents as text (`data-page`).
4. `join`: the pages in order, one PDF/UA structure tree (the wrappers cut at a part
   boundary become one element again), one outline, one set of named destinations.

Two WeasyPrint internals (70.x) are used: `weasyprint.layout.make_margin_boxes` is wrapped to
number the pages, and the outline is nested by `weasyprint.anchors.make_page_bookmark_tree`.
If either changes, or anything else goes wrong, the caller logs a warning and lays the page out
whole in one process; tests/test_parts.py then fails, so the change is noticed.
"""

from __future__ import annotations

import copy
import io
import logging
import multiprocessing
import time
import traceback
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

import pikepdf

from .weasy import font_config
from .parsing import page, parse
from .pdftags import write_tagged_pdf

log = logging.getLogger(__name__)

STARTS_PAGE = "starts-page"
PLACEHOLDER = 9999  # the widest page number the contents page will show, for its first layout


class PartsFailed(RuntimeError):
    """The parts could not be laid out or joined; lay the page out whole instead."""


# -- 1. split -----------------------------------------------------------------------------

@dataclass
class Part:
    tree: ET.Element        # laid out as it is: a forked process inherits it, nothing is parsed
    depth: int = 0          # wrappers open where the part starts (<main>, a section, ...)
    weight: int = 0         # characters of text, to balance the parts

    @property
    def html(self) -> str:
        return serialize(self.tree)


@dataclass
class Split:
    front: ET.Element       # the front matter's tree; its contents page is numbered later
    body: list[Part] = field(default_factory=list)


def _classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def split(html: str, count: int) -> Split | None:
    """The page as front matter and up to count body parts, or None if it has no cut."""
    root = parse(html)
    body = root.find("body")
    order = list(body.iter())
    index = {id(e): i for i, e in enumerate(order)}
    end = {}
    for element in reversed(order):  # one past the last descendant, in document order
        last = max((end[id(child)] for child in element), default=index[id(element)] + 1)
        end[id(element)] = last
    cuts = [index[id(e)] for e in order if STARTS_PAGE in _classes(e)]
    if not cuts or cuts[0] == 0:
        return None
    bounds = [0, *cuts, len(order)]
    pieces = list(zip(bounds, bounds[1:]))
    weights = [_text_length(order, lo, hi) for lo, hi in pieces]
    groups = _balance(weights[1:], count)
    if not groups:
        return None
    parents = {id(child): parent for parent in order for child in parent}
    result = Split(front=_pruned(root, body, index, end, *pieces[0]))
    start = 1
    for size in groups:
        lo, hi = pieces[start][0], pieces[start + size - 1][1]
        first = order[lo]
        marks = {}
        heading = _running_header(order, lo)
        if heading and not (first.tag == "section" and first.find("h2") is not None):
            marks[id(first)] = {"data-continues": heading}
        tree = _pruned(root, body, index, end, lo, hi, marks)
        result.body.append(Part(tree=tree, depth=len(_ancestors(first, body, parents)),
                                weight=sum(weights[start:start + size])))
        start += size
    return result


def _text_length(order: list[ET.Element], lo: int, hi: int) -> int:
    return sum(len(e.text or "") + len(e.tail or "") for e in order[lo:hi])


def _balance(weights: list[int], count: int) -> list[int]:
    """Sizes of up to count runs of consecutive pieces, each about an equal share of the weight."""
    count = min(count, len(weights))
    sizes, size, weight_so_far, done, total = [], 0, 0, 0, sum(weights)
    for i, weight in enumerate(weights):
        size += 1
        weight_so_far += weight
        parts_after = count - len(sizes) - 1
        if parts_after and (weight_so_far >= (total - done) / (parts_after + 1)
                            or len(weights) - i - 1 == parts_after):
            sizes.append(size)
            done += weight_so_far
            size, weight_so_far = 0, 0
    if size:
        sizes.append(size)
    return sizes


def _pruned(root, body, index, end, lo: int, hi: int, marks: dict | None = None) -> ET.Element:
    """A copy of the page keeping <head> and the body's elements in [lo, hi) with their
    ancestors; an ancestor opened before lo keeps no text of its own. marks: attributes to
    add, by id() of the original element."""
    marks = marks or {}
    def keep(element) -> ET.Element | None:
        start, stop = index[id(element)], end[id(element)]
        if stop <= lo or start >= hi:
            return None
        clone = ET.Element(element.tag, {**element.attrib, **marks.get(id(element), {})})
        clone.text = element.text if start >= lo else None
        clone.tail = element.tail
        for child in element:
            kept = keep(child)
            if kept is not None:
                clone.append(kept)
        if stop > hi and not len(clone) and not (clone.text or "").strip():
            return None  # opens here, but all it holds comes later (<main> in the front matter)
        return clone

    page = ET.Element(root.tag, dict(root.attrib))
    for child in root:
        if child is body:
            new_body = ET.Element(body.tag, dict(body.attrib))
            new_body.text = body.text
            for element in body:
                kept = keep(element)
                if kept is not None:
                    new_body.append(kept)
            page.append(new_body)
        else:
            page.append(copy.deepcopy(child))
    return page


def _ancestors(element, body, parents) -> list[ET.Element]:
    chain = []
    parent = parents.get(id(element))
    while parent is not None and parent is not body:
        chain.append(parent)
        parent = parents.get(id(parent))
    return chain


def _running_header(order: list[ET.Element], lo: int) -> str | None:
    """The text of the last <h2> before lo: the running header a part starting at lo continues
    (report.css sets it from each h2 with `string-set: section`)."""
    for element in reversed(order[:lo]):
        if element.tag == "h2" and "toc-title" not in _classes(element):
            return element.get("data-running") or " ".join("".join(element.itertext()).split())
    return None


def serialize(tree: ET.Element) -> str:
    """A part's page as HTML, to read."""
    return "<!DOCTYPE html>\n" + ET.tostring(tree, encoding="unicode", method="html")


def numbered_front(plan: Split, pages: dict[str, int] | None) -> ET.Element:
    """The front matter with its contents page numbered: pages maps anchors to page numbers
    (None: the placeholder everywhere, to measure the front matter's length)."""
    tree = copy.deepcopy(plan.front)
    for nav in tree.iter("nav"):
        if "toc" not in _classes(nav):
            continue
        for link in nav.iter("a"):
            href = link.get("href") or ""
            number = PLACEHOLDER if pages is None else pages.get(href[1:])
            if href.startswith("#") and number is not None:
                link.set("data-page", str(number))
    return tree


# -- 2. and 3. lay out ------------------------------------------------------------------

@contextmanager
def _numbered_margins(numbers):
    """While WeasyPrint lays out a part, number its pages from numbers(page_count), which
    returns (pages before this part, pages in the whole report). It is asked once, when the
    part is paginated and its margin boxes are about to be drawn."""
    from weasyprint import layout
    original = layout.make_margin_boxes
    known = None

    def make_margin_boxes(context, page, state):
        nonlocal known
        if known is None:
            known = numbers(len(context.page_maker) - 1)
        before, total = known
        counters = dict(state[1])
        counters["page"] = [value + before for value in counters.get("page", [context.current_page])]
        counters["pages"] = [total]
        return original(context, page, state.__class__((state[0], counters, *state[2:])))

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = original


def _lay_out(tree: ET.Element, base_url: str, fetcher, numbers):
    with _numbered_margins(numbers):
        return page(tree, base_url, fetcher).render(font_config=font_config())


def _anchor_missing_links(document) -> set[str]:
    """Give every internal link whose target is in another part a stand-in anchor, so that
    WeasyPrint keeps the link; `join` points it at the real place. Returns the stand-ins."""
    known = {name for page in document.pages for name in page.anchors}
    missing = {link[1] for page in document.pages for link in page.links
               if link[0] == "internal" and link[1] not in known}
    for name in sorted(missing):
        document.pages[-1].anchors[name] = (0, 0, 0, 0)
    return missing


@dataclass
class Laid:
    """One part, laid out and printed."""
    pdf: bytes
    anchors: dict[str, int]                   # anchor -> page index within the part
    bookmarks: list[tuple[list, float]]       # per page: WeasyPrint's bookmarks, page height
    stand_ins: set[str]
    depth: int = 0


def _printed(document, identifier: bytes, depth: int) -> Laid:
    anchors: dict[str, int] = {}
    for i, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, i)
    stand_ins = _anchor_missing_links(document)
    return Laid(pdf=write_tagged_pdf(document, pdf_identifier=identifier), anchors=anchors,
                bookmarks=[(page.bookmarks, page.height) for page in document.pages],
                stand_ins=stand_ins, depth=depth)


def _part_process(part: Part, base_url: str, fetcher, identifier: bytes, conn) -> None:
    """In a forked process: lay out one part, numbered as the parent says, and send it back."""
    try:
        def numbers(count):
            conn.send(("paginated", count))
            return conn.recv()
        document = _lay_out(part.tree, base_url, fetcher, numbers)
        conn.send(("printed", _printed(document, identifier, part.depth)))
    except BaseException:  # the parent reports it and lays the report out whole
        conn.send(("failed", traceback.format_exc()))
    finally:
        conn.close()


def _receive(conn, expected: str):
    try:
        kind, value = conn.recv()
    except EOFError:
        raise PartsFailed("a part's process ended without a word") from None
    if kind == "failed":
        raise PartsFailed(f"a part could not be laid out:\n{value}")
    if kind != expected:
        raise PartsFailed(f"a part said '{kind}', not '{expected}'")
    return value


def print_in_parts(html: str, count: int, base_url: str, fetcher, identifier: bytes) -> bytes | None:
    """The PDF of the page, laid out in up to count body parts at once, plus the front matter;
    None if the page has too few places to cut. PartsFailed if anything went wrong."""
    try:
        return _print_in_parts(html, count, base_url, fetcher, identifier)
    except PartsFailed:
        raise
    except Exception as error:  # say why, and let the caller lay the page out whole
        raise PartsFailed(traceback.format_exc()) from error


def _print_in_parts(html: str, count: int, base_url: str, fetcher, identifier: bytes) -> bytes | None:
    started, times = time.perf_counter(), {}
    plan = split(html, count)
    if plan is None or len(plan.body) < 2:
        return None
    from .leaders import join_repeats
    join_repeats(aligned=True)  # as render/pdf.py prints the whole: the contents' dots in columns
    context = multiprocessing.get_context("fork")
    workers = []
    try:
        for part in plan.body:
            ours, theirs = context.Pipe()
            process = context.Process(target=_part_process, daemon=True,
                                      args=(part, base_url, fetcher, identifier, theirs))
            process.start()
            theirs.close()
            workers.append((process, ours))
        # While the parts are laid out: how many pages the front matter takes.
        front_pages = len(_lay_out(numbered_front(plan, None), base_url, fetcher,
                                   lambda count: (0, PLACEHOLDER)).pages)
        counts = [_receive(conn, "paginated") for _, conn in workers]
        times["paginated"] = time.perf_counter() - started
        total, before = front_pages + sum(counts), front_pages
        for (_, conn), pages in zip(workers, counts):
            conn.send((before, total))
            before += pages
        parts = [_receive(conn, "printed") for _, conn in workers]
        times["printed"] = time.perf_counter() - started
    finally:
        for process, conn in workers:
            conn.close()
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
    numbers, before = {}, front_pages
    for part in parts:
        for name, index in part.anchors.items():
            numbers.setdefault(name, before + index + 1)
        before += len(part.bookmarks)
    front = _lay_out(numbered_front(plan, numbers), base_url, fetcher, lambda count: (0, total))
    if len(front.pages) != front_pages:
        raise PartsFailed(f"the front matter took {len(front.pages)} pages, then {front_pages}")
    joined = join(_printed(front, identifier, 0), parts)
    times["joined"] = time.perf_counter() - started
    log.debug("report laid out in %d parts, %d + %s pages (%s)", len(parts), front_pages, counts,
              ", ".join(f"{step} at {seconds:.1f} s" for step, seconds in times.items()))
    return joined


# -- 4. join ------------------------------------------------------------------------------

def _pairs(array) -> list[tuple]:
    items = list(array)
    return list(zip(items[0::2], items[1::2]))


def _kids(element) -> pikepdf.Array:
    kids = element.get("/K")
    if kids is None:
        element.K = kids = pikepdf.Array()
    elif not isinstance(kids, pikepdf.Array):
        element.K = kids = pikepdf.Array([kids])
    return kids


def _is_element(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _graft(parent, children: list, depth: int, nums: list) -> None:
    """Append a part's structure elements to parent. The first depth levels of the part's
    first element continue the last element at that level (the wrappers cut at the part's
    start, such as <main>): their children move into it."""
    kids = _kids(parent)
    if depth > 0 and children and len(kids) and _is_element(kids[-1]) and _is_element(children[0]) \
            and kids[-1].S == children[0].S:
        last, first = kids[-1], children[0]
        moved = []
        for kid in _kids(first):
            if not _is_element(kid):  # first's own content (a marked-content id or reference)
                if isinstance(kid, int):  # an id is on the element's page: say which
                    kid = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=first.Pg, MCID=kid)
                _point_to(nums, first, last)
            moved.append(kid)
        _graft(last, moved, depth - 1, nums)
        children = children[1:]
    for child in children:
        if _is_element(child):
            child.P = parent
        kids.append(child)


def _point_to(nums: list, old, new) -> None:
    """Content that belonged to old in the parent tree now belongs to new."""
    for i in range(1, len(nums), 2):
        value = nums[i]
        if isinstance(value, pikepdf.Array):
            for j, element in enumerate(value):
                if element.is_indirect and element.objgen == old.objgen:
                    value[j] = new
        elif value.is_indirect and value.objgen == old.objgen:
            nums[i] = new


def join(front: Laid, parts: list[Laid]) -> bytes:
    """The front matter's PDF with every part's pages, structure, outline and destinations."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    out = pikepdf.open(io.BytesIO(front.pdf))
    tree = out.Root.StructTreeRoot
    document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
    nums = list(tree.ParentTree.Nums)
    next_key = max(int(key) for key, _ in _pairs(nums)) + 1
    dests = {str(name): dest for name, dest in _pairs(out.Root.Names.Dests.Names)
             if str(name) not in front.stand_ins} if "/Names" in out.Root else {}
    sources = []  # keep every part's Pdf open until the joined one is saved
    for part in parts:
        source = pikepdf.open(io.BytesIO(part.pdf))
        sources.append(source)
        start = len(out.pages)
        out.pages.extend(source.pages)
        keys = {}
        for key, value in _pairs(source.Root.StructTreeRoot.ParentTree.Nums):
            keys[int(key)] = next_key
            value = out.copy_foreign(value if value.is_indirect else source.make_indirect(value))
            nums += [next_key, value]
            next_key += 1
        for page in out.pages[start:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = keys[int(page.obj.StructParents)]
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = keys[int(annotation.StructParent)]
        root = source.Root.StructTreeRoot
        top = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        _graft(document, [out.copy_foreign(kid) for kid in _kids(top)], part.depth, nums)
        if "/Names" in source.Root and "/Dests" in source.Root.Names:
            for name, dest in _pairs(source.Root.Names.Dests.Names):
                if str(name) not in part.stand_ins:
                    dests.setdefault(str(name), out.copy_foreign(
                        dest if dest.is_indirect else source.make_indirect(dest)))
    tree.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    tree.ParentTreeNextKey = next_key
    if dests:
        names = pikepdf.Array()
        for name in sorted(dests):
            names.append(pikepdf.String(name))
            names.append(dests[name])
        out.Root.Names.Dests = pikepdf.Dictionary(Names=names)

    # One outline over all pages, nested as WeasyPrint nests it.
    outline, skipped, previous = [], [], 0
    last_by_depth = [outline]
    pages = [*front.bookmarks, *(b for part in parts for b in part.bookmarks)]
    for index, (bookmarks, height) in enumerate(pages):
        previous = make_page_bookmark_tree(SimpleNamespace(bookmarks=bookmarks), skipped, last_by_depth,
                                           previous, index, Matrix(a=0.75, d=-0.75, f=height * 0.75))
    if "/Outlines" in out.Root:
        del out.Root.Outlines
    with out.open_outline() as tree_of_bookmarks:
        tree_of_bookmarks.root.extend(_outline_items(outline))

    result = io.BytesIO()
    out.save(result, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return result.getvalue()


def _outline_items(subtrees) -> list[pikepdf.OutlineItem]:
    items = []
    for label, (page, x, y), children, state in subtrees:
        item = pikepdf.OutlineItem(label, page, pikepdf.PageLocation.XYZ, left=x, top=y, zoom=0)
        item.children.extend(_outline_items(children))
        item.is_closed = state == "closed"
        items.append(item)
    return items
