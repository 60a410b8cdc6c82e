"""A corpus of bad content: each case gives exit status 2, a message naming file, line and
field in plain words, and leaves the previous outputs byte-identical."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from icat_reports.cli import main

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@dataclass
class Case:
    id: str
    file: str
    expect: str            # a regular expression the error output must match
    old: str | None = None  # replace old by new in file ...
    new: str = ""
    text: str | bytes | None = None  # ... or write this instead of the file


CASES = [
    Case("gap-is-a-list", "areas.yaml", r"areas\.yaml:34: areas\[2\]\.gaps\[0\]: expected text, got a list",
         "      - Large impunity\n", "      - [Large, impunity]\n"),
    Case("misspelt-key", "organizations.yaml",
         r"organizations\.yaml:\d+: organizations\[1\]\.nmae: unknown field 'nmae'; did you mean 'name'\?",
         "    name: Department of Peacekeeping Operations\n", "    nmae: Department of Peacekeeping Operations\n"),
    Case("misspelt-section", "areas.yaml", r"areas\.yaml:\d+: aeras: unknown field 'aeras'; did you mean 'areas'\?",
         "\nareas:\n", "\naeras:\n"),
    Case("unknown-organization", "report.yaml",
         r"report\.yaml:\d+: report\.sections\[1\]\.sections\[0\]\.body\[1\]\.only\[1\]: 'IMO' is not among "
         r"the organizations of `organizations\.contributor`; did you mean 'IOM'\?",
         "              columns: 2\n", "              columns: 2\n              only: [ILO, IMO]\n"),
    Case("unknown-coordinator", "document.yaml", r"document\.yaml:\d+: coordinator: unknown organization 'UNDOC'",
         "coordinator: UNODC", "coordinator: UNDOC"),
    Case("duplicate-key", "contact.yaml", r"contact\.yaml:\d+: contact\.email: duplicate key 'email' \(first given on line \d+\)",
         "  email: ahtmsu@unodc.org", "  email: ahtmsu@unodc.org\n  email: other@unodc.org"),
    Case("duplicate-section-across-files", "contact.yaml",
         r"contact\.yaml:\d+: areas: duplicate key 'areas' \(already given at .*areas\.yaml:\d+\)",
         "\nlinks:", "\nareas: []\nlinks:"),
    Case("organization-defined-twice", "organizations.yaml",
         r"organizations\.yaml:\d+: organizations\[2\]\.acronym: 'UNODC' is already defined",
         "  - acronym: IOM\n", "  - acronym: UNODC\n"),
    Case("tab-indentation", "areas.yaml", r"areas\.yaml:\d+: a tab character is used for indentation",
         "    gaps:\n      - Need for a holistic approach", "    gaps:\n\t- Need for a holistic approach"),
    Case("syntax-error", "areas.yaml", r"areas\.yaml:\d+: YAML syntax error, column \d+",
         "      - Reducing the demand\n", "      - [Reducing the demand\n"),
    Case("unquoted-colon", "report.yaml", r"report\.yaml:\d+: YAML syntax error",
         "  output: analytical-review\n", "  output: analytical review: summary\n"),
    Case("not-utf8", "contact.yaml", r"contact\.yaml:1: the file is not UTF-8 text", text="unit: Caf\xe9\n".encode("latin-1")),
    Case("empty-file", "areas.yaml", r"areas\.yaml:1: the file is empty", text=""),
    Case("comments-only", "areas.yaml", r"areas\.yaml:1: the file is empty", text="# nothing yet\n\n# still nothing\n"),
    Case("top-level-list", "areas.yaml", r"areas\.yaml:1: the file must be a mapping", text="- Prevention\n- Protection\n"),
    Case("missing-required-field", "document.yaml", r"document\.yaml: publisher_name: required field is missing",
         "publisher_name: Inter-Agency Coordination Group against Trafficking in Persons\n", ""),
    Case("missing-nested-field", "contact.yaml", r"contact\.yaml:\d+: contact\.unit: required field is missing",
         "  unit: Anti-Human Trafficking and Migrant Smuggling Unit\n", ""),
    Case("missing-file", "report.yaml", r"report\.yaml: report: required field is missing", text=None),
    Case("not-a-date", "document.yaml", r"document\.yaml:\d+: date: '13 December 2010' is not a date; write it as YYYY-MM-DD",
         "date: 2010-12-13", "date: 13 December 2010"),
    Case("text-instead-of-list", "document.yaml", r"document\.yaml:\d+: keywords: expected a list, got text",
         "keywords:\n  - trafficking in persons\n", "keywords: trafficking in persons\nkw_rest:\n  - x\n"),
    Case("list-instead-of-mapping", "contact.yaml", r"contact\.yaml:\d+: contact: expected a mapping, got a list",
         "contact:\n  intro:", "contact:\n- x\nold_contact:\n  intro:"),
    Case("number-instead-of-text", "contact.yaml", r"contact\.yaml:\d+: contact\.telephone: expected text, got a number",
         "  telephone: (+43-1) 26060-5687", "  telephone: 260605687"),
    Case("empty-list", "areas.yaml", r"areas\.yaml:\d+: areas\[0\]\.recommendations: must not be empty",
         "    recommendations:\n      - Policy choices to reduce vulnerabilities in origin countries\n"
         "      - Increase the focus on demand in destination countries\n"
         "      - Opportunities for potential victims (minimum empowerment package)\n"
         "      - Increase sufficient legal migration opportunities\n", "    recommendations: []\n"),
    Case("empty-text", "areas.yaml", r"areas\.yaml:\d+: areas\[1\]\.name: must not be empty text",
         "  - name: Protection", "  - name: ''"),
    Case("unknown-role", "organizations.yaml",
         r"organizations\.yaml:\d+: organizations\[1\]\.roles\[0\]: unknown role 'leader' \(not in `roles` of "
         r"organizations\.yaml\)",
         "    roles: [member]\n  - acronym: IOM", "    roles: [leader]\n  - acronym: IOM"),
    Case("python-tag", "contact.yaml", r"contact\.yaml:\d+: unsupported YAML tag",
         "  unit: Anti-Human", "  unit: !!python/object/apply:os.system ['true']\n  x: Anti-Human"),
    Case("alias-bomb", "contact.yaml", r"contact\.yaml:\d+: the file expands to more than .* values through aliases",
         "\nlinks:", "\n" + BOMB + "links:"),
    Case("javascript-link", "contact.yaml", r"contact\.yaml:\d+: links\[0\]\.url: expected a web address",
         "    url: https://www.unodc.org/unodc/en/human-trafficking/index.html\n  - label: Presentation",
         "    url: javascript:alert(1)\n  - label: Presentation"),
    Case("bad-email", "contact.yaml", r"contact\.yaml:\d+: contact\.email: expected an e-mail address",
         "  email: ahtmsu@unodc.org", "  email: ahtmsu at unodc"),
    Case("image-going-up", "document.yaml", r"document\.yaml:\d+: cover_image\.file: '\.\.' is not allowed",
         "language: en", "language: en\ncover_image:\n  file: ../../etc/secret.png\n  alt: A secret"),
    Case("image-absolute-path", "document.yaml", r"document\.yaml:\d+: cover_image\.file: .*not an absolute path",
         "language: en", "language: en\ncover_image:\n  file: /etc/passwd.png\n  alt: A secret"),
    Case("image-address", "document.yaml", r"document\.yaml:\d+: cover_image\.file: .*not an address",
         "language: en", "language: en\ncover_image:\n  file: https://example.org/x.png\n  alt: Remote"),
    Case("image-not-an-image", "document.yaml", r"document\.yaml:\d+: cover_image\.file: expected a \.png",
         "language: en", "language: en\ncover_image:\n  file: areas.yaml\n  alt: Not a picture"),
    Case("image-missing", "document.yaml", r"document\.yaml:\d+: cover_image\.file: no such file: images/cover\.png",
         "language: en", "language: en\ncover_image:\n  file: images/cover.png\n  alt: The cover"),
    Case("image-without-alt", "document.yaml", r"document\.yaml:\d+: cover_image\.alt: required field is missing",
         "language: en", "language: en\ncover_image:\n  file: images/cover.png"),
    Case("bad-language", "document.yaml", r"document\.yaml:\d+: language: 'English' is not in the expected form",
         "language: en", "language: English"),
    Case("unknown-source", "report.yaml",
         r"report\.yaml:\d+: report\.sections\[1\]\.sections\[1\]\.body\[1\]\.source: unknown source "
         r"'organizations\.panle'; did you mean 'organizations\.panel'\?",
         "            - source: organizations.panel\n", "            - source: organizations.panle\n"),
]


@pytest.fixture(scope="module")
def previous(report_dir, tmp_path_factory) -> Path:
    """The last good outputs, as someone is about to print them."""
    return report_dir


def _break(content: Path, case: Case) -> None:
    path = content / case.file
    if case.old is not None:
        text = path.read_text("utf-8")
        assert case.old in text, f"case {case.id}: {case.old!r} not in {case.file}"
        path.write_text(text.replace(case.old, case.new, 1), "utf-8")
    elif case.text is None:
        path.unlink()
    elif isinstance(case.text, bytes):
        path.write_bytes(case.text)
    else:
        path.write_text(case.text, "utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, content_copy, previous, tmp_path, capsys):
    out = tmp_path / "build"
    shutil.copytree(previous, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _break(content_copy, case)
    capsys.readouterr()
    assert main(["all", "--content", str(content_copy), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(case.expect, err), f"expected /{case.expect}/ in:\n{err}"
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_image_that_is_not_a_picture_or_leads_out_is_refused(content_copy, tmp_path, capsys):
    (content_copy / "fake.png").write_text("not a picture")
    (content_copy / "out.png").symlink_to("/etc/hostname")
    for file, expect in (("fake.png", "the file is not a PNG or JPEG image"),
                         ("out.png", "the file leads out of the content folder")):
        document = content_copy / "document.yaml"
        text = document.read_text("utf-8").split("\ncover_image:")[0]
        document.write_text(f"{text}\ncover_image:\n  file: {file}\n  alt: x\n", "utf-8")
        assert main(["check", "--content", str(content_copy)]) == 2
        assert re.search(rf"document\.yaml:\d+: cover_image\.file: {expect}", capsys.readouterr().err)


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_every_problem_is_reported_at_once(content_copy, tmp_path, capsys):
    cases = [c for c in CASES if c.id in ("gap-is-a-list", "misspelt-key", "unknown-coordinator")]
    for case in cases:
        _break(content_copy, case)
    assert main(["check", "--content", str(content_copy)]) == 2
    err = capsys.readouterr().err
    for case in cases:
        assert re.search(case.expect, err), err
    assert "3 problems in the content" in err


@pytest.mark.parametrize("setup, expect", [
    ("missing", r"content directory not found"),
    ("no-yaml", r"no \.yaml files in the content directory"),
])
def test_bad_content_directory(tmp_path, capsys, setup, expect):
    folder = tmp_path / "content"
    if setup == "no-yaml":
        folder.mkdir()
        (folder / "notes.txt").write_text("hello")
    assert main(["check", "--content", str(folder)]) == 2
    assert re.search(expect, capsys.readouterr().err)


def test_schema_is_documented_for_editors(capsys):
    assert main(["schema"]) == 0
    text = capsys.readouterr().out
    assert "report: mapping, required  [report.yaml]" in text
    assert "areas: list of mapping, optional  [areas.yaml]" in text
    assert "gaps: list of text, required" in text
