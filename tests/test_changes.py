"""`build.py changes --since REF` (issue 17): two editions compared through the document tree;
a Word file with real tracked changes whose Accept All is the current text and Reject All the
previous one; change pages that say what changed, section by section."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from icat_reports import changes
from icat_reports.cli import load, main

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

REWORDED = ("Improve national coordination structures to exchange information",
            "Improve national and regional coordination structures to exchange information")
REMOVED = "Reducing the demand"
ADDED = "Insufficient follow-up of identified victims"


def second_edition(content: Path) -> None:
    areas = content / "areas.yaml"
    text = areas.read_text("utf-8")
    text = text.replace(REWORDED[0], REWORDED[1]).replace(f"      - {REMOVED}\n", "")
    text = text.replace("      - Large impunity\n", f"      - Large impunity\n      - {ADDED}\n")
    areas.write_text(text, "utf-8")
    orgs = content / "organizations.yaml"
    orgs.write_text(orgs.read_text("utf-8") + "  - acronym: UNOPS\n    name: United Nations Office for Project"
                    " Services\n    roles: [member]\n", "utf-8")
    report = content / "report.yaml"  # the Global Plan moves before the key areas
    text = report.read_text("utf-8")
    start = text.index("    - title: ICAT and the Global Plan of Action")
    end = text.index("    - title: Contact")
    plan = text[start:end]
    text = text[:start] + text[end:]
    at = text.index("    - title: Gaps and recommendations in the four key areas")
    report.write_text(text[:at] + plan + text[at:], "utf-8")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    base = tmp_path_factory.mktemp("changes")
    content, out = base / "content", base / "out"
    shutil.copytree(ROOT / "content", content)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1292198400")
        assert main(["html", "--content", str(content), "--out", str(out)]) == 0
        assert main(["pack", "--content", str(content), "--out", str(out)]) == 0
        previous = load(content)[0]
        pack = next((out / "pack").glob("*.zip"))
        second_edition(content)
        assert main(["changes", "--since", str(pack), "--content", str(content), "--out", str(out)]) == 0
    return previous, load(content)[0], out / "changes"


def test_the_comparison_finds_each_kind_of_change(compared):
    previous, current, _ = compared
    sections = {s.id: s for s in changes.compare(previous, current) if s.kind != "moved-out"}
    kinds = lambda id: {(i.kind, i.new or i.old) for i in sections[id].items if i.kind != "same"}
    assert ("reworded", REWORDED[1]) in kinds("partnerships")
    assert ("removed", REMOVED) in kinds("prevention")
    assert ("added", ADDED) in kinds("prosecution")
    assert ("added", "United Nations Office for Project Services") in kinds("members")
    # Moved whole: its texts are the same, the section itself moved, and is shown once.
    assert sections["global-plan"].kind == "moved-in" and sections["global-plan"].shown
    assert not [i for i in sections["global-plan"].items if i.kind != "same"]
    away = [s for s in changes.compare(previous, current) if s.kind == "moved-out"]
    assert [s.id for s in away] == ["global-plan"] and not away[0].shown
    assert not sections["functions"].changed
    reworded = next(i for i in sections["partnerships"].items if i.kind == "reworded")
    assert [p.text.strip() for p in reworded.pieces if p.kind == "added"] == ["and regional"]


def _resolved(path: Path, accept: bool) -> list[str]:
    """The document's paragraphs with every tracked change accepted (or rejected)."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    gone = ("del", "moveFrom") if accept else ("ins", "moveTo")
    paragraphs = []
    for p in root.iter(f"{W}p"):
        mark = p.find(f"{W}pPr/{W}rPr")
        if mark is not None and any(mark.find(f"{W}{tag}") is not None for tag in gone):
            continue  # the paragraph itself was added (rejected) or removed (accepted)
        text = []
        for node in p.iter(f"{W}t", f"{W}delText"):
            inside = {a.tag.split("}")[1] for a in node.iterancestors() if a.tag.startswith(W)}
            if inside & set(gone):
                continue
            text.append(node.text or "")
        paragraphs.append("".join(text))
    return paragraphs


def _expected(document) -> list[str]:
    out = []
    for section in document.walk():
        out.append(section.plain_title)
        out += [t for _, t in changes.texts(section.blocks)]
    return out


def test_accept_all_gives_the_current_text_and_reject_all_the_previous(compared):
    previous, current, folder = compared
    docx = folder / "analytical-review-changes.docx"
    accepted = [p for p in _resolved(docx, True)[1:] if p]  # [0]: the title
    rejected = [p for p in _resolved(docx, False)[1:] if p]
    assert accepted == _expected(current)
    # Rejected, the moved section is back where it was: the previous text in its order.
    assert rejected == _expected(previous)
    assert REWORDED[1] in accepted and REWORDED[0] in rejected
    assert ADDED in accepted and ADDED not in rejected
    assert REMOVED in rejected and REMOVED not in accepted


def test_the_tracked_changes_name_the_publisher_and_the_build_date(compared):
    xml = zipfile.ZipFile(compared[2] / "analytical-review-changes.docx").read("word/document.xml").decode()
    marks = re.findall(r'<w:(ins|del) w:id="\d+" w:author="([^"]+)" w:date="([^"]+)"', xml)
    assert marks and {m[0] for m in marks} == {"ins", "del"}
    assert {m[1] for m in marks} == {"Inter-Agency Coordination Group against Trafficking in Persons (ICAT)"}
    assert {m[2] for m in marks} == {"2010-12-13T00:00:00Z"}


def test_the_change_pages_show_each_changed_section(compared):
    html = (compared[2] / "analytical-review-changes.html").read_text("utf-8")
    for title in ("Prevention", "Prosecution", "Partnerships", "ICAT member organizations"):
        assert re.search(rf"<h2 id=\"ch-\d+\">{title}</h2>", html), title
    assert "<h2 id=\"ch-1\">About ICAT</h2>" not in html  # unchanged sections have no page
    assert "<ins>and regional </ins>" in html or "<ins>and regional</ins>" in html
    assert f"<del>{REMOVED}</del>" in html
    pdf = compared[2] / "analytical-review-changes.pdf"
    from icat_reports import a11y
    assert a11y.check_pdf(pdf) == []  # tagged, fonts embedded, as the report


def test_an_unreadable_reference_is_refused_with_nothing_written(tmp_path, capsys):
    out = tmp_path / "out"
    not_a_pack = tmp_path / "old.zip"
    not_a_pack.write_text("not a zip")
    for ref in (str(not_a_pack), "no-such-revision-anywhere"):
        assert main(["changes", "--since", ref, "--out", str(out)]) == 2
        assert "nothing was written" in capsys.readouterr().err
    assert not out.exists()


def test_changes_in_every_language_with_a_catalog(tmp_path, monkeypatch, capsys):
    """Each catalog's edition is compared with the same language's previous edition: the
    French change pages list the French rewording, in French, in changes/fr/."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1292198400")
    content, out = tmp_path / "brief", tmp_path / "out"
    shutil.copytree(ROOT / "tests" / "fixtures" / "brief", content)
    assert main(["translations", "fr", "--content", str(content)]) == 0
    po = content / "translations" / "fr.po"
    from babel.messages import pofile
    catalog = pofile.read_po(po.open("rb"), locale="fr")
    for message in catalog:
        if message.id:
            message.string = f"FR {message.id}"
    import io
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog)
    po.write_bytes(buffer.getvalue())
    assert main(["html", "--lang", "all", "--content", str(content), "--out", str(out)]) == 0
    assert main(["pack", "--content", str(content), "--out", str(out)]) == 0
    pack = next((out / "pack").glob("*.zip"))
    # The French translator rewords one entry; the English stays as it was.
    catalog = pofile.read_po(po.open("rb"), locale="fr")
    reworded = next(m for m in catalog if m.id and (m.context or "").startswith("report.sections")
                    and len(m.id.split()) > 4)
    old_words = reworded.string
    reworded.string = old_words + " encore"
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog)
    po.write_bytes(buffer.getvalue())
    capsys.readouterr()
    assert main(["changes", "--since", str(pack), "--content", str(content), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "fr: 0 added, 0 removed, 1 reworded" in said and "en: 0 added, 0 removed, 0 reworded" in said
    french = (out / "changes" / "fr" / "icat-issue-brief-changes.html").read_text("utf-8")
    assert "encore" in french and 'lang="fr"' in french
    english = (out / "changes" / "icat-issue-brief-changes.html").read_text("utf-8")
    assert "encore" not in english


def _libreoffice(path: Path, mode: str) -> list[str]:
    """The file's paragraphs after LibreOffice accepted (or rejected) every tracked change."""
    import subprocess
    done = subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "lo_revisions.py"), str(path), mode],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


def _has_uno() -> bool:
    import subprocess
    return shutil.which("soffice") is not None and subprocess.run(
        ["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_uno(), reason="LibreOffice's Python bridge (python3-uno) is not installed")
def test_libreoffice_accepting_all_gives_the_current_text_and_rejecting_all_the_previous(compared):
    """What Word's Review pane does, done by another office suite: the marks mean what the XML
    test above says they mean, moved section included."""
    previous, current, folder = compared
    docx = folder / "analytical-review-changes.docx"
    accepted, rejected = _libreoffice(docx, "accept")[1:], _libreoffice(docx, "reject")[1:]  # [0]: title
    assert accepted == [t for t in _expected(current) if t.strip()]
    assert rejected == [t for t in _expected(previous) if t.strip()]
