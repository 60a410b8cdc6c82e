"""Content errors: exit status 2 and a message naming file, line and field; nothing built."""

from __future__ import annotations

import pytest

from icat_reports.cli import main


def build(content, out, *formats):
    return main([*(formats or ["html"]), "--content", str(content), "--out", str(out)])


def test_valid_content_checks(content_copy, capsys):
    assert main(["check", "--content", str(content_copy)]) == 0


@pytest.mark.parametrize("file, old, new, expected", [
    ("areas.yaml", "      - Large impunity\n", "      - [Large, impunity]\n",
     r"areas.yaml:\d+: areas\[2\].gaps\[0\]: expected text, got a list"),
    ("organizations.yaml", "  - acronym: DPKO\n", "  - acronym: DPKO\n    nmae: x\n",
     r"organizations.yaml:\d+: organizations\[1\].nmae: unknown field 'nmae'; did you mean 'name'\?"),
    ("report.yaml", "            - source: organizations.panel\n",
     "            - source: organizations.panel\n              only: [ILO, IMO]\n",
     r"report.yaml:\d+: report.sections\[1\].sections\[1\].body\[1\].only\[1\]: 'IMO' is not among the "
     r"organizations of `organizations.panel`; did you mean 'IOM'\?"),
    ("contact.yaml", "  email: ahtmsu@unodc.org", "  email: ahtmsu@unodc.org\n  email: other@unodc.org",
     r"contact.yaml:\d+: contact.email: duplicate key 'email'"),
    ("areas.yaml", "  - name: Prevention\n", "  - name: Prevention\n\tgaps: x\n",
     r"areas.yaml:\d+: .*tab character"),
])
def test_invalid_content_names_file_line_and_field(content_copy, tmp_path, capsys, file, old, new, expected):
    path = content_copy / file
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    assert build(content_copy, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert pytest.importorskip("re").search(expected, err), err
    assert not (tmp_path / "out").exists()


def test_missing_required_field_names_its_file(content_copy, tmp_path, capsys):
    path = content_copy / "document.yaml"
    line = "publisher_name: Inter-Agency Coordination Group against Trafficking in Persons\n"
    assert line in path.read_text("utf-8")
    path.write_text(path.read_text("utf-8").replace(line, ""))
    assert build(content_copy, tmp_path / "out") == 2
    assert "document.yaml: publisher_name: required field is missing" in capsys.readouterr().err


def test_failed_build_leaves_previous_outputs_untouched(content_copy, tmp_path):
    out = tmp_path / "out"
    assert build(content_copy, out, "html") == 0
    before = (out / "analytical-review.html").read_bytes()
    (content_copy / "areas.yaml").write_text("areas: [", "utf-8")
    assert build(content_copy, out, "html") == 2
    assert (out / "analytical-review.html").read_bytes() == before


def test_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["brochure"])
    assert exit_info.value.code == 2


def explode(job):
    raise MemoryError("the machine ran out of memory halfway through")


def test_a_renderer_failing_midway_leaves_every_previous_output(content_copy, tmp_path, monkeypatch, capsys):
    """Exit 1 with the cause; the failed format's file untouched, the others rebuilt whole."""
    from icat_reports.builders import BUILDERS, Builder, Step
    out = tmp_path / "out"
    assert build(content_copy, out, "html", "docx") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setitem(BUILDERS, "docx", Builder("docx", "", (Step(("analytical-review.docx",), "test_content:explode"),)))
    assert main(["html", "docx", "-j", "1", "--content", str(content_copy), "--out", str(out)]) == 1
    assert "ran out of memory" in capsys.readouterr().err
    assert (out / "analytical-review.docx").read_bytes() == before["analytical-review.docx"]
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temporary file left
