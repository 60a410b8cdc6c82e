"""A long report laid out in parts on several cores (engines/parts.py) is the same PDF as the
report laid out whole: the same pages, pixels, page numbers, contents page, structure tree,
outline, links and destinations."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from PIL import Image, ImageChops

from icat_reports import a11y, cli
from icat_reports.engines.fetcher import ProjectOnlyFetcher
from icat_reports.job import Job, build_time
from icat_reports.engines import parts
from icat_reports.render import pdf
from icat_reports.render.html import report_html
from icat_reports.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
EXTRA = 100  # generated items added to each of the eight lists: about 55 pages


def long_content(target: Path) -> Path:
    shutil.copytree(ROOT / "content", target)
    path = target / "areas.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, area in enumerate(data["areas"]):
        for kind in ("gaps", "recommendations"):
            area[kind] += [f"{area['name']} {kind} item {n}: strengthen cooperation between the "
                           f"agencies at national and regional level ({i}.{n})" for n in range(EXTRA)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def long_job(tmp_path_factory) -> Job:
    document, images = cli.load(long_content(tmp_path_factory.mktemp("long") / "content"))
    return Job(content=document.content, document=document, theme=load_theme(TEMPLATES),
               templates=TEMPLATES, built=build_time(), version="test", images=images, workers=2)


@pytest.fixture(scope="module")
def both(long_job, tmp_path_factory) -> tuple[Path, Path]:
    """The long report laid out whole and in two parts."""
    out = tmp_path_factory.mktemp("both")
    html = report_html(long_job, "print")
    fetcher = ProjectOnlyFetcher(TEMPLATES, allow_redirects=False)
    whole, parted = out / "whole.pdf", out / "parts.pdf"
    parted.write_bytes(parts.print_in_parts(html, 2, f"{TEMPLATES}/", fetcher, pdf.IDENTIFIER))
    long_job.workers = 1
    try:
        whole.write_bytes(pdf.print_pdf(long_job, html))
    finally:
        long_job.workers = 2
    return whole, parted


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def test_parts_print_the_same_pages(both):
    whole, parted = both
    texts = page_texts(whole)
    assert len(texts) > 40
    assert page_texts(parted) == texts  # every page: body, running header, "Page X of Y"
    # The cover and the imprint after it carry no folio; the contents page is page 3.
    assert "Page 1 of" not in texts[0] and "Page 2 of" not in texts[1]
    assert f"Page 3 of {len(texts) - 1}" in texts[2]


def test_no_page_of_a_long_report_holds_only_a_heading(both):
    whole, _ = both
    for number, text in enumerate(page_texts(whole)[:-1], start=1):
        body = [line for line in text.splitlines()[1:-1] if line.strip()]  # not header, footer
        assert len(body) >= 3, f"page {number}: {body}"


def test_parts_look_the_same(both, tmp_path):
    whole, parted = both
    for name, path in (("w", whole), ("p", parted)):
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / name)], check=True)
    pages = sorted(tmp_path.glob("w-*.png"))
    assert len(pages) == len(list(tmp_path.glob("p-*.png")))
    different = [p.name for p in pages
                 if ImageChops.difference(Image.open(p).convert("L"),
                                          Image.open(tmp_path / p.name.replace("w-", "p-")).convert("L")).getbbox()]
    assert different == []


def shape(path: Path):
    """What a screen reader and a PDF viewer meet: structure tree (depth, role, page), outline,
    named destinations and links."""
    pdf_file = pikepdf.open(path)
    pages = {page.objgen: i for i, page in enumerate(pdf_file.pages)}
    tree = []

    def walk(element, depth):
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            return
        tree.append((depth, str(element.S), pages.get(element.Pg.objgen) if "/Pg" in element else None))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, depth + 1)

    root = pdf_file.Root.StructTreeRoot.K
    walk(root[0] if isinstance(root, pikepdf.Array) else root, 0)
    outline = []
    with pdf_file.open_outline() as bookmarks:
        def flat(items, depth):
            for item in items:
                outline.append((depth, item.title, pages[item.destination[0].objgen]))
                flat(item.children, depth + 1)
        flat(bookmarks.root, 0)
    names = list(pdf_file.Root.Names.Dests.Names)
    dests = {str(k): (pages[v[0].objgen], round(float(v[3]))) for k, v in zip(names[0::2], names[1::2])}
    links = [(i, str(a.get("/Dest", "")) or str(a.A.URI), int(a.StructParent))
             for i, page in enumerate(pdf_file.pages) for a in page.obj.get("/Annots", [])]
    return tree, outline, dests, links


def test_parts_keep_one_structure_tree_outline_and_links(both):
    whole, parted = both
    tree, outline, dests, links = shape(parted)
    expected = shape(whole)
    assert tree == expected[0]            # one <main>, one "Key areas" section, in reading order
    assert outline == expected[1] and len(outline) > 15
    assert dests == expected[2]           # the contents page's links land where they did
    assert len(links) == len(expected[3]) and [l[:2] for l in links] == [l[:2] for l in expected[3]]
    assert len({l[2] for l in links}) == len(links)  # every link its own place in the parent tree
    assert a11y.check_pdf(parted) == []


def test_split_cuts_only_where_print_starts_a_page(long_job):
    html = report_html(long_job, "print")
    plan = parts.split(html, 2)
    front = parts.serialize(parts.numbered_front(plan, None))
    assert 'class="cover"' in front and 'class="toc"' in front and "<main" not in front
    assert f'data-page="{parts.PLACEHOLDER}"' in front
    assert len(plan.body) == 2
    for part in plan.body:
        assert "<style>" in part.html and 'class="cover"' not in part.html
    big, small = sorted(p.weight for p in plan.body)[::-1]
    assert big < 2 * small  # balanced by text
    # The second part starts inside "Key areas", with an area: it carries the running header.
    key_areas = long_job.document.section("key-areas").plain_title
    assert 'data-continues="' + key_areas in plan.body[1].html


def test_a_long_build_uses_parts_and_is_reproducible(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    content = long_content(tmp_path / "content")
    outputs = []
    for run in ("a", "b"):
        assert cli.main(["pdf", "-v", "-j", "2", "--content", str(content), "--out", str(tmp_path / run)]) == 0
        assert "report laid out in 2 parts" in capsys.readouterr().err
        outputs.append((tmp_path / run / "analytical-review.pdf").read_bytes())
    assert outputs[0] == outputs[1]


def test_a_failing_part_falls_back_to_one_process(long_job, monkeypatch):
    def broken(*args):
        raise RuntimeError("a part that cannot be laid out")
    warnings = []
    monkeypatch.setattr(parts, "_part_process", broken)
    monkeypatch.setattr(pdf.log, "warning", lambda *args: warnings.append(args[0] % args[1:]))
    data = pdf.print_pdf(long_job, report_html(long_job, "print"))
    assert warnings and "laying the report out in one process" in warnings[0]
    assert len(pikepdf.open(io.BytesIO(data)).pages) > 40
