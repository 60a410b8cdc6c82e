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


# -- images that are not what their first bytes say (issue 14) --------------------------------

def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A one-bit greyscale PNG of width x height, written by hand: a 20000 x 20000 picture of
    one colour is some 50 KB, and nothing is decoded to make it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _noisy_png() -> bytes:
    import io
    import random
    rng = random.Random(14)
    picture = Picture.frombytes("RGB", (200, 100), bytes(rng.randrange(256) for _ in range(200 * 100 * 3)))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _jpeg(jfif: bool = True, noisy: bool = False) -> bytes:
    import io
    out = io.BytesIO()
    picture = Picture.open(io.BytesIO(_noisy_png())) if noisy else Picture.new("RGB", (60, 30), (200, 10, 10))
    picture.save(out, "JPEG")
    data = out.getvalue()
    if not jfif:  # drop the APP0 (JFIF) segment: a valid JPEG, decoded by all but Word's writer
        assert data[2:4] == b"\xff\xe0"
        data = data[:2] + data[4 + int.from_bytes(data[4:6], "big"):]
    return data


def _bad_pictures():
    png = _noisy_png()
    crc = bytearray(png)
    crc[-20] ^= 0xFF  # a byte of the last IDAT chunk, whose checksum then fails
    return [
        ("truncated-png", "chart.png", png[: len(png) // 2], r"the PNG image is truncated"),
        ("png-header-then-junk", "chart.png", png[:8] + b"junk" * 500, r"the file starts as a PNG image but the rest is not one"),
        ("bad-checksum", "chart.png", bytes(crc), r"the PNG image is (damaged|truncated)"),
        ("400-megapixels", "chart.png", _png(20_000, 20_000),
         r"the image is too large: 20,000 x 20,000 pixels \(400 megapixels\), at most 40 megapixels"),
        ("50-megapixels", "chart.png", _png(10_000, 5_000), r"the image is too large: 10,000 x 5,000 pixels"),
        ("text-named-jpeg", "chart.jpg", b"This is a text file, not a photograph.\n" * 20,
         r"the file is not a PNG or JPEG image"),
        ("truncated-jpeg", "chart.jpg", _jpeg(noisy=True)[:5000], r"the JPEG image is truncated"),
        ("jpeg-without-jfif", "chart.jpg", _jpeg(jfif=False), r"Word cannot read this JPEG image"),
    ]


def _brief_copy(tmp_path):
    import shutil
    from conftest import ROOT
    content = tmp_path / "brief"
    shutil.copytree(ROOT / "tests" / "fixtures" / "brief", content)
    return content


def _refused(content, out, capsys, expect: str) -> None:
    """check and all both exit 2, naming the file and line, and all writes nothing."""
    import re
    for argv in (["check"], ["all", "--out", str(out)]):
        capsys.readouterr()
        assert main([*argv, "--content", str(content)]) == 2, argv
        err = capsys.readouterr().err
        assert re.search(expect, err), f"expected /{expect}/ in:\n{err}"
        assert "Traceback" not in err
        assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("case", _bad_pictures(), ids=lambda c: c[0])
def test_a_figure_that_does_not_decode_is_refused(case, tmp_path, capsys):
    _, name, data, message = case
    content = _brief_copy(tmp_path)
    (content / "images" / name).write_bytes(data)
    report = content / "report.yaml"
    report.write_text(report.read_text("utf-8").replace("images/chart.png", f"images/{name}"), "utf-8")
    _refused(content, tmp_path / "out", capsys,
             rf"brief/report\.yaml:\d+: image 'images/{name}': {message}")


@pytest.mark.parametrize("name, shown", [
    ("images/chart\\0.png", r"U\+0000"),
    ("images/chart\\x01.png", r"U\+0001"),
    ("images/chart\\x7f.png", r"U\+007F"),
    ("images/" + "a" * 300 + ".png", r"cannot read the file: File name too long"),
])
def test_a_cover_image_name_that_cannot_name_a_file_is_refused(name, shown, tmp_path, capsys):
    content = _brief_copy(tmp_path)
    document = content / "document.yaml"
    document.write_text(document.read_text("utf-8") + f'\ncover_image:\n  file: "{name}"\n  alt: x\n', "utf-8")
    _refused(content, tmp_path / "out", capsys, rf"brief/document\.yaml:\d+: (cover_image\.file: )?.*{shown}")


@pytest.mark.parametrize("name", ["images/chart\x00.png", "images/chart\x1b[2J.png"])
def test_read_images_refuses_a_control_character_in_a_name(name, tmp_path):
    """Whatever the loader lets through, reading images never meets a NUL byte in a name."""
    import dataclasses

    from icat_reports import assets, cli, loader
    from icat_reports.model import Image
    from icat_reports.problems import ContentError
    content = _brief_copy(tmp_path)
    document, _ = cli.load(content)
    cover = Image.model_construct(file=name, alt="x")
    document = dataclasses.replace(document, content=document.content.model_copy(update={"cover_image": cover}))
    with pytest.raises(ContentError) as error:
        assets.read_images(document, content, loader.load(content))
    assert "control character" in str(error.value)
    assert "\x00" not in str(error.value) and "\x1b" not in str(error.value)


def test_every_image_is_decoded_within_the_pixel_limit():
    from PIL import Image
    from icat_reports import assets
    assert assets.image_problem(_png(4_000, 10_000)) is None  # exactly 40 megapixels
    assert Image.MAX_IMAGE_PIXELS == assets.MAX_PIXELS


# -- WeasyPrint's warnings reach the user; an image it cannot load fails the PDF ---------------

def test_weasyprint_is_heard_but_for_the_css_it_ignores(capsys):
    import logging

    from icat_reports import cli
    from icat_reports.engines.weasy_log import ImageNotLoaded
    cli._setup_logging(False)
    logger = logging.getLogger("weasyprint")

    def say(level, message, *args, module="fonts"):
        path = f"/venv/site-packages/weasyprint/{module}.py"
        logger.handle(logger.makeRecord("weasyprint", level, path, 1, message, args, None))

    say(logging.WARNING, "Font-face %r cannot be loaded", "Noto Sans", module="text/fonts")
    say(logging.ERROR, "Failed to load stylesheet at %s: %s", "file:///x.css", "refused")
    say(logging.WARNING, "Ignored `overflow-x: auto` at 56:17, unknown property.", module="css/__init__")
    say(logging.INFO, "Step 1 - Fetching and parsing HTML", module="document")
    err = capsys.readouterr().err
    assert "WeasyPrint: Font-face 'Noto Sans' cannot be loaded" in err
    assert "WeasyPrint: Failed to load stylesheet at file:///x.css: refused" in err
    assert "overflow-x" not in err and "Step 1" not in err
    with pytest.raises(ImageNotLoaded, match=r"could not show an image: Failed to load image at "
                                             r"'data:image/png… \(5,022 characters\)': broken"):
        say(logging.ERROR, "Failed to load image at %r: %s", "data:image/png;base64," + "A" * 5000, "broken",
            module="images")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_image_weasyprint_cannot_load_fails_the_pdf(jobs, tmp_path, monkeypatch, capsys):
    """Were an image to pass the checks and still not load, the PDF is not written without it."""
    from icat_reports import assets
    from conftest import ROOT
    junk = b"\x89PNG\r\n\x1a\n" + b"junk" * 100
    monkeypatch.setattr(assets, "read_images", lambda *args: {"images/chart.png": junk})
    out = tmp_path / "out"
    content = ROOT / "tests" / "fixtures" / "brief"
    assert main(["html", "pdf", "docx", "-j", jobs, "--content", str(content), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "could not build pdf; its previous output is unchanged" in err
    assert "ImageNotLoaded: WeasyPrint could not show an image: Failed to load image at 'data:image/png…" in err
    assert not (out / "icat-issue-brief.pdf").exists()


def test_a_truncated_image_is_refused_once_weasyprint_is_imported():
    """WeasyPrint has Pillow pad out truncated images (ImageFile.LOAD_TRUNCATED_IMAGES); the
    check does not, and leaves WeasyPrint's setting as it was."""
    import icat_reports.render.pdf  # noqa: F401  imports WeasyPrint
    from PIL import ImageFile
    from icat_reports import assets
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    assert assets.image_problem(_jpeg(noisy=True)[:5000]).startswith("the JPEG image is truncated")
    assert assets.image_problem(_noisy_png()[:3000]).startswith("the PNG image is truncated")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
