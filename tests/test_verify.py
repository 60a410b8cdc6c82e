"""`build.py verify` (issue 17): every output read back against the document tree; a text
missing from one output is told with the output, its place and its content file and line."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from icat_reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    outs = {}
    for name, content in (("review", ROOT / "content"), ("brief", BRIEF)):
        out = tmp_path_factory.mktemp(name)
        assert main(["all", "--content", str(content), "--out", str(out)]) == 0
        outs[name] = out
    return outs


@pytest.mark.parametrize("name, content", [("review", ROOT / "content"), ("brief", BRIEF)])
def test_every_output_says_every_text(built, capsys, name, content):
    assert main(["verify", "--content", str(content), "--out", str(built[name])]) == 0, capsys.readouterr().err
    assert "the 5 outputs say every text of the content" in capsys.readouterr().out


def test_a_recommendation_removed_from_the_html_is_told(built, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(built["review"], out)
    page = out / "analytical-review.html"
    text = page.read_text("utf-8")
    removed = "National action plans specifically incorporating child trafficking"
    assert text.count(removed) == 1
    page.write_text(text.replace(removed, ""), "utf-8")
    assert main(["verify", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    line = next(i for i, l in enumerate((ROOT / "content" / "areas.yaml").read_text("utf-8").splitlines(), 1)
                if "name: Protection" in l)
    assert re.search(rf"analytical-review\.html: missing in section 'Protection': '{removed}' "
                     rf"\(content/areas\.yaml:{line}\)", err), err
    assert "1 text of the content missing" in err


def test_a_reworded_slide_in_the_pptx_is_told(built, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(built["brief"], out)
    deck = out / "handout.pptx"
    with zipfile.ZipFile(deck) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    changed = {n: d.replace(b"Shared definitions make figures comparable.", b"Shared definitions help.")
               for n, d in parts.items()}
    assert changed != parts
    with zipfile.ZipFile(deck, "w") as archive:
        for n, d in changed.items():
            archive.writestr(n, d)
    assert main(["verify", "--content", str(BRIEF), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert re.search(r"handout\.pptx: missing in slide \d+ \('Summary'\): 'Shared definitions make figures "
                     r"comparable\.' \(.*handout\.yaml:\d+\)", err), err


def test_verify_without_outputs_says_to_build_first(tmp_path, capsys):
    assert main(["verify", "--out", str(tmp_path)]) == 2
    assert "build them first" in capsys.readouterr().err


@pytest.fixture(scope="module")
def in_arabic_and_chinese(tmp_path_factory):
    """The review in pseudo-Arabic and pseudo-Chinese (tests/pseudo.py), built."""
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    from pseudo import fill
    base = tmp_path_factory.mktemp("scripts")
    content, out = base / "content", base / "out"
    shutil.copytree(ROOT / "content", content)
    assert main(["translations", "ar", "zh", "--content", str(content)]) == 0
    for language in ("ar", "zh"):
        fill(content / "translations" / f"{language}.po", language)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ICAT_SOFFICE", "")
        assert main(["all", "--lang", "ar,zh", "--content", str(content), "--out", str(out)]) == 0
    return content, out


def test_every_output_says_every_text_right_to_left_and_in_chinese(in_arabic_and_chinese, capsys):
    """Read back in each script: Arabic PDFs come back from poppler in the order they show,
    which verify.RightToLeft puts back in reading order."""
    content, out = in_arabic_and_chinese
    for language in ("ar", "zh"):
        assert main(["verify", "--lang", language, "--content", str(content), "--out", str(out)]) == 0, \
            capsys.readouterr().err
        assert "the 5 outputs say every text of the content" in capsys.readouterr().out


def test_an_arabic_text_the_outputs_do_not_say_is_told_in_every_format(in_arabic_and_chinese, tmp_path, capsys):
    """The catalog rewords one recommendation after the build: every output, the PDFs
    included, no longer says it, and verify names each of them."""
    from babel.messages import pofile
    import io
    content, out = in_arabic_and_chinese
    changed = tmp_path / "content"
    shutil.copytree(content, changed)
    po = changed / "translations" / "ar.po"
    catalog = pofile.read_po(po.open("rb"), locale="ar")
    entry = next(m for m in catalog if m.id == "National action plans specifically incorporating child trafficking")
    entry.string = "خطط عمل وطنية جديدة تماما"
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog)
    po.write_bytes(buffer.getvalue())
    assert main(["verify", "--lang", "ar", "--content", str(changed), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    for output in ("analytical-review.pdf", "analytical-review.html", "analytical-review.docx"):
        assert re.search(rf"{re.escape(output)}: missing .*خطط عمل وطنية", err), output
