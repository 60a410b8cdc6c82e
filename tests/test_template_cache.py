"""Templates are compiled once into the cache folder (templating.py), and never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def build_html(out: Path, cache: Path, templates: Path = ROOT / "templates") -> bytes:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SOURCE_DATE_EPOCH": "1292198400"}
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "html", "--templates", str(templates),
                          "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return (out / "analytical-review.html").read_bytes()


def compiled(cache: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("icat-reports/templates-*/*")}


def test_templates_are_compiled_once_then_loaded(tmp_path):
    first = build_html(tmp_path / "a", tmp_path / "cache")
    kept = compiled(tmp_path / "cache")
    assert len(kept) >= 2  # report.html, report.css and the templates they include
    assert build_html(tmp_path / "b", tmp_path / "cache") == first
    assert compiled(tmp_path / "cache") == kept  # loaded, not compiled and written again


def test_a_changed_template_is_compiled_afresh(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    build_html(tmp_path / "a", tmp_path / "cache", templates)
    page = templates / "report.html"
    page.write_text(page.read_text("utf-8").replace("<body", "<!-- edited --><body", 1), "utf-8")
    assert b"<!-- edited -->" in build_html(tmp_path / "b", tmp_path / "cache", templates)


def test_without_a_usable_cache_folder_templates_are_compiled_each_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert build_html(tmp_path / "a", blocked) == build_html(tmp_path / "b", tmp_path / "cache")
