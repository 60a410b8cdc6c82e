"""The benchmark's own code still runs: its pandoc Markdown is walked from the document tree,
which changes with the schema (a renamed field once broke `make bench` unnoticed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402

from icat_reports import tree  # noqa: E402
from icat_reports.cli import load, load_document  # noqa: E402

BRIEF = ROOT / "tests" / "fixtures" / "brief"


def test_bench_markdown_holds_the_report(tmp_path):
    from icat_reports.inline import typeset
    document = load_document(ROOT / "content")
    content = document.content
    markdown = bench.markdown(document)
    assert content.title in markdown
    for section in document.walk():
        assert f"{'#' * section.level} {section.plain_title} {{#{section.id}}}" in markdown
    for area in content.areas:  # the key areas of `- source: areas`, with their lists
        assert area.name in markdown and area.gaps[0] in markdown and area.recommendations[-1] in markdown
    for org in content.with_role("member"):  # the member table of `- source: members`
        assert f"| {org.acronym} | {typeset(org.name)} |" in markdown  # "Children’s", typeset
    assert content.contact.unit in markdown
    for number in document.footnotes:
        assert f"[^{number}]: " in markdown


def test_bench_markdown_of_another_shape(tmp_path):
    document, images = load(BRIEF)
    md = bench._write_markdown(document, images, tmp_path / "pandoc")
    text = md.read_text("utf-8")
    assert "| Field | Who records it | When |" in text
    assert "1. The first service notes the signs" in text
    assert "  - with the right to withdraw it;" in text
    assert "::: box\n**Key messages**" in text
    assert "> A route on paper" in text
    assert "](images/chart.png)" in text and "[^1]: " in text and "[^2]: " in text
    assert (tmp_path / "pandoc" / "images" / "chart.png").read_bytes() == images["images/chart.png"]
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (scripts/system-deps.sh pandoc)")
    html = tmp_path / "pandoc" / "report.html"
    subprocess.run(bench.pandoc_commands(md, tmp_path / "pandoc")["html"], cwd=tmp_path / "pandoc",
                   check=True, capture_output=True)
    page = html.read_text("utf-8")
    assert "<table" in page and "<figure" in page and "<blockquote" in page and 'class="box"' in page


def test_bench_scales_the_content(tmp_path):
    scaled = load_document(bench.scaled_content(ROOT / "content", tmp_path / "content", 5))
    original = load_document(ROOT / "content")
    assert [len(a.gaps) for a in scaled.content.areas] == [len(a.gaps) + 5 for a in original.content.areas]

    def key_areas(document):
        return [b for s in document.walk() for b in s.blocks if isinstance(b, tree.KeyArea)]
    # The report shows them: the key areas come from `- source: areas` in report.yaml.
    assert [len(k.recommendations) for k in key_areas(scaled)] == \
        [len(k.recommendations) + 5 for k in key_areas(original)]
