"""Drafts (issue 17): `build.py all --draft` marks every page of both PDFs, the Word file's
headers, every slide and the web page with DRAFT and the build date; the final build has none."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from icat_reports import a11y
from icat_reports.cli import main
from test_a11y import read_aloud

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
MARK = "DRAFT · 1 March 2024"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    outs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1709251200")
        for kind, extra in (("draft", ["--draft"]), ("final", [])):
            out = tmp_path_factory.mktemp(kind)
            assert main(["all", *extra, "--content", str(BRIEF), "--out", str(out)]) == 0
            outs[kind] = out
    return outs


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.mark.parametrize("name", ["icat-issue-brief.pdf", "handout-slides.pdf", "handout-notes.pdf"])
def test_every_page_of_a_draft_pdf_says_so_as_an_artifact(builds, name):
    import pikepdf
    draft, final = builds["draft"] / name, builds["final"] / name

    def watermarks(path: Path) -> list[int]:
        with pikepdf.open(path) as pdf:
            return [sum(1 for operands, op in pikepdf.parse_content_stream(page)
                        if str(op) == "BDC" and str(operands[0]) == "/Artifact"
                        and str(operands[1].get("/Subtype")) == "/Watermark")
                    for page in pdf.pages]
    assert set(watermarks(draft)) == {1}  # one on every page
    assert set(watermarks(final)) == {0}
    assert len(PdfReader(draft).pages) == len(PdfReader(final).pages)
    # The stamp's letters are drawn (rotated, so read one by one).
    letters = "".join(pages(draft)[0].split())
    assert all(ch in letters for ch in "DRAFT")
    if name != "handout-notes.pdf":  # the tagged ones: the mark is not read aloud
        spoken, skipped = read_aloud(draft)
        assert "DRAFT" not in spoken and "DRAFT" in skipped
        assert a11y.check_pdf(draft) == []


def test_the_draft_word_file_has_a_watermark_in_its_headers(builds):
    with zipfile.ZipFile(builds["draft"] / "icat-issue-brief.docx") as archive:
        headers = [archive.read(n).decode() for n in archive.namelist()
                   if n.startswith("word/header") and n.endswith(".xml")]
    assert headers and all(f'string="{MARK}"' in h for h in headers)
    with zipfile.ZipFile(builds["final"] / "icat-issue-brief.docx") as archive:
        assert not any("DRAFT" in archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("word/") and n.endswith(".xml"))
    assert a11y.check_docx(builds["draft"] / "icat-issue-brief.docx") == []


def test_every_draft_slide_has_a_label_and_the_title_stays_first(builds):
    deck = Presentation(str(builds["draft"] / "handout.pptx"))
    for slide in deck.slides:
        assert any(shape.has_text_frame and shape.text_frame.text == MARK for shape in slide.shapes)
    assert a11y.check_pptx(builds["draft"] / "handout.pptx") == []
    final = Presentation(str(builds["final"] / "handout.pptx"))
    assert not any("DRAFT" in shape.text_frame.text for s in final.slides for shape in s.shapes if shape.has_text_frame)


def test_the_draft_web_page_says_so(builds):
    assert MARK in (builds["draft"] / "icat-issue-brief.html").read_text("utf-8")
    assert "DRAFT" not in (builds["final"] / "icat-issue-brief.html").read_text("utf-8")
