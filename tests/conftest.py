"""Shared fixtures: outputs are built once per test session and read back by the tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from icat_reports.cli import main  # noqa: E402


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory) -> Path:
    """The report as HTML and PDF, built from the real content."""
    out = tmp_path_factory.mktemp("report")
    assert main(["html", "pdf", "--content", str(ROOT / "content"), "--out", str(out)]) == 0
    return out


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of content/ that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target
