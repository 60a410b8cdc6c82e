"""build.py, as make runs it: it leaves without tearing the interpreter down (os._exit), so
everything it printed must still reach a pipe, and its exit status must be the CLI's."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def build(*args: str) -> subprocess.CompletedProcess:
    # Buffered, as output to a pipe is unless PYTHONUNBUFFERED says otherwise.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)


def test_a_build_prints_every_file_it_wrote(tmp_path):
    run = build("html", "docx", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    written = sorted(line.split()[1] for line in run.stdout.splitlines() if line.startswith("wrote "))
    assert written == [str(tmp_path / "analytical-review.docx"), str(tmp_path / "analytical-review.html")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analytical-review.docx", "analytical-review.html"]


def test_bad_content_is_told_in_full_and_exits_2(content_copy, tmp_path):
    areas = content_copy / "areas.yaml"
    areas.write_text(areas.read_text("utf-8").replace("gaps:", "gapz:", 1), "utf-8")
    out = tmp_path / "out"
    run = build("html", "--content", str(content_copy), "--out", str(out))
    assert run.returncode == 2
    assert "areas.yaml:" in run.stderr and "gapz" in run.stderr
    assert run.stderr.endswith("\n")  # the last line too, not cut off at a buffer's edge
    assert not out.exists()


def test_content_check_prints_its_verdict():
    run = build("check")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("content is valid")


def test_every_test_the_readme_names_exists():
    """The README's table of promises names its tests: each must exist, so none is renamed away."""
    import re
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme.split("## What a build promises", 1)[1]
    named = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", table)
    assert len(named) >= 15
    for file, test in named:
        source = (ROOT / "tests" / file).read_text("utf-8")
        assert not test or f"def {test}(" in source, f"{file}::{test}"
