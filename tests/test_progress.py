"""Progress of long builds (issue 17): a bar on a terminal only, one line per rendered format
when a build makes several languages, and the DRAFT mark in each edition's own language."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from icat_reports.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal_erased_at_the_end_and_lines_for_several_languages():
    out, err = io.StringIO(), Terminal()
    progress = Progress(4, lines=True, out=out, err=err)
    for what in ("en: html", "en: pdf", "fr: html", "fr: pdf"):
        progress.done(what, 0.5)
    progress.close()
    assert out.getvalue().splitlines() == ["rendered en: html (0.5 s)", "rendered en: pdf (0.5 s)",
                                           "rendered fr: html (0.5 s)", "rendered fr: pdf (0.5 s)"]
    drawn = err.getvalue()
    assert "[" + "#" * 24 + "] 4/4" in drawn and "fr: pdf" in drawn
    assert drawn.endswith("\r")  # erased: the terminal is left on a clean line


def test_no_bar_into_a_pipe_and_no_lines_for_one_language():
    out, err = io.StringIO(), io.StringIO()
    progress = Progress(4, lines=False, out=out, err=err)
    progress.done("en: html")
    progress.close()
    assert out.getvalue() == "" and err.getvalue() == ""


def _translated(tmp_path: Path) -> Path:
    content = tmp_path / "brief"
    shutil.copytree(BRIEF, content)
    subprocess.run([sys.executable, "build.py", "translations", "fr", "--content", str(content)], cwd=ROOT,
                   check=True, capture_output=True)
    return content


def test_a_build_of_two_languages_on_a_terminal_shows_the_bar_and_every_format(tmp_path):
    content = _translated(tmp_path)
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "build.py", "html", "docx", "--lang", "all", "--draft",
                                "--content", str(content), "--out", str(tmp_path / "out")],
                               cwd=ROOT, stdin=child, stdout=child, stderr=child,
                               env={**os.environ, "TERM": "xterm", "ICAT_SOFFICE": ""})
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=120) == 0
    os.close(main)
    text = seen.decode(errors="replace")
    assert "] 1/4" in text and "] 4/4" in text
    for line in ("rendered en: html", "rendered en: docx", "rendered fr: html", "rendered fr: docx"):
        assert line in text
    assert (tmp_path / "out" / "fr" / "icat-issue-brief.html").is_file()


def test_each_editions_draft_mark_is_in_its_own_language(tmp_path):
    content = _translated(tmp_path)
    out = tmp_path / "out"
    subprocess.run([sys.executable, "build.py", "html", "--lang", "all", "--draft", "--content",
                    str(content), "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    english = (out / "icat-issue-brief.html").read_text("utf-8")
    french = (out / "fr" / "icat-issue-brief.html").read_text("utf-8")
    assert "DRAFT" in english and "PROJET" not in english
    assert "PROJET" in french and "DRAFT" not in french
