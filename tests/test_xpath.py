"""XPath expressions compiled once (icat_reports/engines/xpath.py): the same Word and PowerPoint files."""

from __future__ import annotations

from pathlib import Path

import docx.oxml.xmlchemy
import pptx.oxml.xmlchemy

from icat_reports import cli
from icat_reports.job import Job, build_time
from icat_reports.render import powerpoint, word
from icat_reports.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent
ELEMENTS = (docx.oxml.xmlchemy.BaseOxmlElement, pptx.oxml.xmlchemy.BaseOxmlElement)


def test_compiled_xpaths_give_the_same_files_and_are_reused(monkeypatch):
    document, images = cli.load(ROOT / "content")
    job = Job(content=document.content, document=document, theme=load_theme(ROOT / "templates"),
              templates=ROOT / "templates", built=build_time(), version="test", images=images,
              workers=1)
    compiled = {**word.render(job), **powerpoint.render(job)}
    caches = [element.xpath.expressions.cache_info() for element in ELEMENTS]
    for info in caches:  # each library looked up many times, with far fewer expressions
        assert info.currsize and info.hits > 3 * info.currsize
    for element in ELEMENTS:
        monkeypatch.setattr(element, "xpath", element.xpath.original)
    for renderer in (word, powerpoint):
        monkeypatch.setattr(renderer, "compile_xpaths", lambda library: None)
    plain = {**word.render(job), **powerpoint.render(job)}
    assert compiled == plain
    assert all(not hasattr(element.xpath, "expressions") for element in ELEMENTS)  # the libraries' own
