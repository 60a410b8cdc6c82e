"""`build.py pack` (issue 17): every output, the content and a manifest in one zip that the
same content makes byte for byte; `pack --verify` says which file differs."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from icat_reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
EPOCH = "1709251200"  # 1 March 2024


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("packed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["html", "docx", "handout", "--content", str(BRIEF), "--out", str(target)]) == 0
    return target


def pack(out: Path, monkeypatch, *extra) -> int:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return main(["pack", "--content", str(BRIEF), "--out", str(out), *extra])


def test_a_pack_holds_every_output_the_content_and_a_manifest(out, tmp_path, monkeypatch, capsys):
    work = tmp_path / "out"
    shutil.copytree(out, work)
    assert pack(work, monkeypatch) == 0
    made = work / "pack" / "icat-briefing-2024-03-01.zip"
    names = set(zipfile.ZipFile(made).namelist())
    for output in ("icat-issue-brief.html", "icat-issue-brief.docx", "handout.pptx", "handout-slides.pdf"):
        assert f"outputs/{output}" in names
    assert {"content/report.yaml", "content/images/chart.png", "MANIFEST.txt", "manifest.json"} <= names
    manifest = json.loads(zipfile.ZipFile(made).read("manifest.json"))
    assert manifest["content_version"].startswith("sha256:") and manifest["built"].startswith("2024-03-01")
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == names - {"MANIFEST.txt", "manifest.json"}
    assert listed["outputs/handout.pptx"]["size"] == (work / "handout.pptx").stat().st_size
    assert main(["pack", "--verify", str(made)]) == 0


def test_the_same_content_gives_the_same_zip(out, tmp_path, monkeypatch):
    made = []
    for run in ("first", "second"):
        work = tmp_path / run
        shutil.copytree(out, work)
        assert pack(work, monkeypatch) == 0
        made.append((work / "pack" / "icat-briefing-2024-03-01.zip").read_bytes())
    assert made[0] == made[1]


def test_a_pack_is_not_overwritten_unless_asked(out, tmp_path, monkeypatch, capsys):
    work = tmp_path / "out"
    shutil.copytree(out, work)
    assert pack(work, monkeypatch) == 0
    assert pack(work, monkeypatch) == 2
    assert "give --force to replace it" in capsys.readouterr().err
    assert pack(work, monkeypatch, "--force") == 0


def test_verify_names_the_file_that_differs(out, tmp_path, monkeypatch, capsys):
    work = tmp_path / "out"
    shutil.copytree(out, work)
    assert pack(work, monkeypatch) == 0
    made = work / "pack" / "icat-briefing-2024-03-01.zip"
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "outputs/icat-issue-brief.html":
                data = data.replace(b"Key messages", b"Key massages")
            target.writestr(info, data)
    capsys.readouterr()
    assert main(["pack", "--verify", str(tampered)]) == 1
    err = capsys.readouterr().err
    assert "outputs/icat-issue-brief.html: differs from the manifest" in err
    assert "handout.pptx" not in err


def test_a_file_that_is_no_pack_is_refused_in_words(tmp_path, capsys):
    bad = tmp_path / "not-a-pack.zip"
    bad.write_text("hello")
    assert main(["pack", "--verify", str(bad)]) == 2
    assert "is not a meeting pack" in capsys.readouterr().err
