"""icat-reports as a package (issue 18): the wheel installs into a fresh virtual environment
outside the repository and builds a publication from another folder; the command's --version
and init; a bare build.py gives the same bytes twice."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # From the files git tracks, copied elsewhere: what a clean checkout holds, and setuptools'
    # build/ folder stays out of the project's own build/.
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard"], check=True,
                             capture_output=True, text=True).stdout.split("\n")
    import shutil
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
                   check=True, capture_output=True, text=True)
    return next(out.glob("icat_reports-*.whl"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv holding the wheel. Its dependencies come from the project's .venv through
    a .pth line (no download); the package itself only from the wheel."""
    target = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    python = target / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    return target


def test_the_wheel_carries_templates_labels_and_the_starter(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("icat_reports/templates/report.html", "icat_reports/templates/blocks.html",
                 "icat_reports/templates/theme.yaml", "icat_reports/templates/slides.css",
                 "icat_reports/data/labels.yaml", "icat_reports/data/starter/report.yaml"):
        assert name in names, name
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "icat-reports = icat_reports.cli:run" in zipfile.ZipFile(wheel).read(entry).decode()


def test_the_installed_command_builds_from_another_folder(venv, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}
    command = [str(venv / "bin" / "icat-reports")]
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import icat_reports; print(icat_reports.__file__)"],
                           cwd=work, env=env, check=True, capture_output=True, text=True).stdout
    assert str(venv) in where and str(ROOT) not in where  # the wheel's copy, not the repository
    version = subprocess.run([*command, "--version"], cwd=work, env=env, capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("icat-reports ")
    import shutil
    shutil.copytree(BRIEF, work / "brief")
    done = subprocess.run([*command, "all", "--content", "brief", "--out", "out"], cwd=work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (work / "out").iterdir()} == {
        "icat-issue-brief.pdf", "icat-issue-brief.docx", "icat-issue-brief.html",
        "handout-slides.pdf", "handout-notes.pdf", "handout.pptx"}


def test_init_writes_a_starter_that_builds_at_once(venv, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [str(venv / "bin" / "icat-reports")]
    made = subprocess.run([*command, "init", "paper"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in (tmp_path / "paper").iterdir()) == ["document.yaml", "handout.yaml", "report.yaml"]
    again = subprocess.run([*command, "init", "paper"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "nothing was written" in again.stderr
    built = subprocess.run([*command, "all", "--content", "paper", "--out", "paper/build"], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "paper" / "build" / "new-paper.pdf").is_file()


def test_two_bare_builds_give_the_same_bytes(tmp_path):
    """Without the Makefile's SOURCE_DATE_EPOCH the date is the content's, never the clock."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    outs = []
    for run in ("first", "second"):
        out = tmp_path / run
        subprocess.run([sys.executable, str(ROOT / "build.py"), "html", "docx", "handout", "--out", str(out)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        outs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outs[0] == outs[1]
