"""A content image reaches every report format, inlined, with its alternative text."""

from __future__ import annotations

import zipfile

import docx
import pytest
from PIL import Image as Picture
from pypdf import PdfReader

from icat_reports.cli import main

ALT = "The cover of the analytical review"


@pytest.fixture(scope="module")
def with_image(tmp_path_factory):
    import shutil
    from conftest import ROOT
    base = tmp_path_factory.mktemp("image")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "images").mkdir()
    Picture.new("RGB", (300, 200), (10, 61, 107)).save(content / "images" / "cover.png")
    document = content / "document.yaml"
    document.write_text(document.read_text("utf-8") + f"\ncover_image:\n  file: images/cover.png\n  alt: {ALT}\n")
    out = base / "out"
    assert main(["html", "pdf", "docx", "--content", str(content), "--out", str(out)]) == 0
    return out


def test_html_inlines_the_image_with_alt(with_image):
    html = (with_image / "analytical-review.html").read_text("utf-8")
    assert f'alt="{ALT}"' in html
    assert 'src="data:image/png;base64,' in html


def test_pdf_contains_the_image(with_image):
    page = PdfReader(with_image / "analytical-review.pdf").pages[0]
    # WeasyPrint's pages share one resource dictionary, which also holds the printed bullets.
    assert [image.image.size for image in page.images].count((300, 200)) == 1


def test_docx_picture_has_alt_text(with_image):
    document = docx.Document(with_image / "analytical-review.docx")
    assert len(document.inline_shapes) == 1
    with zipfile.ZipFile(with_image / "analytical-review.docx") as z:
        assert f'descr="{ALT}"' in z.read("word/document.xml").decode()


def test_outputs_with_an_image_pass_the_accessibility_checks(with_image):
    from icat_reports import a11y
    assert a11y.check_pdf(with_image / "analytical-review.pdf") == []
    assert a11y.check_docx(with_image / "analytical-review.docx") == []


# -- a figure of the outline: ![alt](images/chart.png "caption") in a section's body ----------

FIGURE_ALT = "A bar chart with three bars, rising from left to right"
FIGURE_CAPTION = "Agencies that had taken each step (illustrative)"


@pytest.fixture(scope="module")
def with_figure(tmp_path_factory):
    """The issue brief (tests/fixtures/brief/), whose report shows a figure."""
    from conftest import ROOT
    out = tmp_path_factory.mktemp("figure") / "out"
    content = ROOT / "tests" / "fixtures" / "brief"
    assert main(["html", "pdf", "docx", "--content", str(content), "--out", str(out)]) == 0
    return out


def test_html_inlines_the_figure_with_alt_and_caption(with_figure):
    import re
    html = (with_figure / "icat-issue-brief.html").read_text("utf-8")
    figure = re.search(r"<figure\b.*?</figure>", html, re.S)
    assert figure, "no <figure> in the page"
    assert f'alt="{FIGURE_ALT}"' in figure.group(0)
    assert 'src="data:image/png;base64,' in figure.group(0)
    assert re.search(rf"<figcaption[^>]*>\s*{re.escape(FIGURE_CAPTION)}\s*</figcaption>", figure.group(0))


def test_pdf_contains_the_figure(with_figure):
    reader = PdfReader(with_figure / "icat-issue-brief.pdf")
    sizes = {image.image.size for page in reader.pages for image in page.images}
    assert (600, 300) in sizes
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert FIGURE_CAPTION in " ".join(text.split())


def test_docx_figure_has_alt_text_and_caption(with_figure):
    document = docx.Document(with_figure / "icat-issue-brief.docx")
    assert len(document.inline_shapes) == 1
    with zipfile.ZipFile(with_figure / "icat-issue-brief.docx") as z:
        assert f'descr="{FIGURE_ALT}"' in z.read("word/document.xml").decode()
    assert any(FIGURE_CAPTION in p.text for p in document.paragraphs)


def test_outputs_with_a_figure_pass_the_accessibility_checks(with_figure):
    from icat_reports import a11y
    assert a11y.check_pdf(with_figure / "icat-issue-brief.pdf") == []
    assert a11y.check_docx(with_figure / "icat-issue-brief.docx") == []
