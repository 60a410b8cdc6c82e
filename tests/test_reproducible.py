"""Same sources, same bytes: two builds with SOURCE_DATE_EPOCH are identical in every output."""

from __future__ import annotations

import datetime as dt

import docx
from pypdf import PdfReader

from conftest import ROOT
from icat_reports.cli import main

EPOCH = 1292198400  # 2010-12-13 00:00 UTC


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first, second = tmp_path / "first", tmp_path / "second"
    for out, jobs in ((first, "2"), (second, "1")):  # parallel or not, the same bytes
        assert main(["all", "--content", str(ROOT / "content"), "--out", str(out), "-j", jobs]) == 0
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 6
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name

    when = dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)
    assert PdfReader(first / "analytical-review.pdf").metadata.creation_date == when
    assert docx.Document(first / "analytical-review.docx").core_properties.created == when
    # The build date, on the imprint page after the cover.
    page = (first / "analytical-review.html").read_text("utf-8")
    imprint = page[page.index('<section id="imprint"'):page.index('<nav class="toc"')]
    assert '>13 December 2010</time>' in imprint


def test_fonts_are_subset_by_harfbuzz_not_the_fonttools_fallback(tmp_path, caplog):
    """The fallback is about 20 times slower on large fonts and stamps the time into PDFs."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    assert harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)
    from weasyprint import HTML
    with caplog.at_level("WARNING", logger="weasyprint"):  # main() would quieten this logger
        HTML(string='<p style="font-family: Noto Sans">Subset me</p>').write_pdf()
    assert "Using fontTools instead of HarfBuzz" not in caplog.text
