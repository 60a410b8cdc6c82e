"""The benchmark's own code still runs: its pandoc Markdown is walked from the content model,
which changes with the schema (a renamed field once broke `make bench` unnoticed)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402

from icat_reports.cli import load_content  # noqa: E402


def test_bench_markdown_holds_the_report(tmp_path):
    content = load_content(ROOT / "content")
    markdown = bench.markdown(content)
    assert content.title in markdown
    for area in content.areas:
        assert area.name in markdown and area.gaps[0] in markdown


def test_bench_scales_the_content(tmp_path):
    scaled = bench.scaled_content(ROOT / "content", tmp_path / "content", 5)
    content = load_content(scaled)
    original = load_content(ROOT / "content")
    assert [len(a.gaps) for a in content.areas] == [len(a.gaps) + 5 for a in original.areas]
