"""The meeting an edition is for (meeting.yaml, issue 17): named on the report's cover in every
format, on the title slide and in every slide's footer; left out where there is none."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER

from icat_reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
LINE = "7th ICAT meeting · Vienna International Centre · 3 March 2011"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("meeting")
    outs = {}
    for kind in ("with", "without"):
        content = base / kind / "brief"
        shutil.copytree(BRIEF, content)
        if kind == "with":
            (content / "meeting.yaml").write_text(
                "meeting:\n  name: 7th ICAT meeting\n  date: 2011-03-03\n  venue: Vienna International Centre\n",
                "utf-8")
        outs[kind] = base / kind / "out"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", "1292198400")
            mp.setenv("ICAT_SOFFICE", "")
            assert main(["all", "--content", str(content), "--out", str(outs[kind])]) == 0
    return outs


def pdf_text(path: Path, first: int = 1, last: int = 0) -> str:
    args = ["pdftotext", "-f", str(first)] + (["-l", str(last)] if last else []) + [str(path), "-"]
    return " ".join(subprocess.run(args, capture_output=True, text=True).stdout.split())


def test_the_cover_names_the_meeting_in_every_format(built):
    out = built["with"]
    assert LINE in pdf_text(out / "icat-issue-brief.pdf", 1, 1)
    assert LINE in (out / "icat-issue-brief.html").read_text("utf-8")
    assert any(p.text == LINE for p in docx.Document(out / "icat-issue-brief.docx").paragraphs)
    for path in (built["without"] / "icat-issue-brief.pdf",):
        assert "ICAT meeting" not in pdf_text(path, 1, 1)


def test_the_title_slide_and_every_footer_name_the_meeting(built):
    out = built["with"]
    deck = Presentation(str(out / "handout.pptx"))
    title = " ".join(sh.text_frame.text for sh in deck.slides[0].shapes if sh.has_text_frame)
    assert LINE.split(" · 3 March")[0] in title
    footers = [sh.text_frame.text for s in list(deck.slides)[1:] for sh in s.placeholders
               if sh.placeholder_format.type == PP_PLACEHOLDER.FOOTER]
    assert footers and all("7th ICAT meeting" in f for f in footers)
    slides = subprocess.run(["pdftotext", str(out / "handout-slides.pdf"), "-"], capture_output=True,
                            text=True).stdout.split("\f")
    assert "7th ICAT meeting" in slides[0]
    assert all("7th ICAT meeting" in " ".join(page.split()) for page in slides[1:] if page.strip())
    plain = subprocess.run(["pdftotext", str(built["without"] / "handout-slides.pdf"), "-"], capture_output=True,
                           text=True).stdout
    assert "ICAT meeting" not in plain
