"""Awkward but valid content builds in every format without a traceback or overflow; two
builds at once never leave a mixed file; random input either builds or exits 2."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from icat_reports.cli import main

LONG_WORD = "Supercalifragilistic" * 12
LONG_URL = "https://example.org/" + "very/long/path/" * 12
WORLD = "العربية: مكافحة الاتجار بالأشخاص — 中文：打击贩卖人口 — emoji 🌍🤝"


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


AWKWARD_BODY = f"""\
A word too long for any line: {LONG_WORD}, an address as its own text: [{LONG_URL}]({LONG_URL}),
and other scripts: {WORLD}.[^awkward]

| Term | In other scripts | Note |
| --- | --- | --- |
| {LONG_WORD} | {WORLD} | [{LONG_URL}]({LONG_URL}) |
| short | 中文 | 🌍 |

[^awkward]: A note with {LONG_WORD} and {WORLD}.
"""


def awkward_outline(data):
    """No section shows the links; one more section holds awkward Markdown."""
    def without_links(sections):
        return [dict(s, sections=without_links(s.get("sections", [])))
                for s in sections if not any(isinstance(b, dict) and b.get("source") == "links"
                                             for b in (s.get("body") if isinstance(s.get("body"), list) else []))]
    sections = without_links(data["report"]["sections"])
    sections.append({"title": f"Awkward text {LONG_WORD}", "id": "awkward", "body": AWKWARD_BODY})
    data["report"]["sections"] = sections


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    base = tmp_path_factory.mktemp("awkward")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)

    def areas(data):
        data["areas"][0]["gaps"] = [f"Gap {i}: words enough to wrap a narrow column" for i in range(1000)]
        data["areas"][1]["gaps"].append(LONG_WORD)
        data["areas"][1]["recommendations"].append(f"See [{LONG_URL}]({LONG_URL})")
        data["areas"][2]["gaps"].append(WORLD)
    edit_yaml(content / "areas.yaml", areas)
    edit_yaml(content / "contact.yaml", lambda d: d.update(links=[]))  # an empty optional section ...
    edit_yaml(content / "report.yaml", awkward_outline)  # ... that the outline no longer shows
    edit_yaml(content / "organizations.yaml",
              lambda d: d["organizations"][-1].update(name="The World Bank " + LONG_WORD))
    # A word too long for its line in the cover title, an address line and a slide's bullet.
    edit_yaml(content / "document.yaml", lambda d: d.update(title=d["title"] + " " + LONG_WORD[:120]))
    edit_yaml(content / "contact.yaml", lambda d: d["contact"]["address"].append(LONG_WORD))
    edit_yaml(content / "handout.yaml", lambda d: d["handout"]["slides"].insert(
        0, {"title": "Long words", "bullets": [f"A bullet with {LONG_WORD} in it", LONG_WORD]}))
    out = base / "out"
    code = main(["all", "--content", str(content), "--out", str(out)])
    return code, out


def test_awkward_content_builds_every_format(awkward):
    code, out = awkward
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"analytical-review.pdf", "analytical-review.docx", "analytical-review.html"} <= names


def words_outside_text_area(pdf, margin_pt: float):
    """Words whose box leaves the page, or crosses into the right margin by more than 1 pt."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    bad, width, height = [], 0.0, 0.0
    pattern = (r'<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([-\d.]+)" yMin="([-\d.]+)" '
               r'xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')
    for m in re.finditer(pattern, out):
        if m.group(1):
            width, height = float(m.group(1)), float(m.group(2))
            continue
        x0, y0, x1, y1 = map(float, m.group(3, 4, 5, 6))
        if x0 < 0 or y0 < 0 or y1 > height or x1 > width - margin_pt + 1:
            bad.append((m.group(7), x1))
    return bad


def test_awkward_pdf_text_stays_inside_the_page(awkward):
    from icat_reports.theme import load_theme
    margin_pt = load_theme(ROOT / "templates").page["margin_right_mm"] * 72 / 25.4
    pdf = awkward[1] / "analytical-review.pdf"
    assert words_outside_text_area(pdf, margin_pt) == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Gap 999:" in text and "中文" in text
    # A heading too long for the running header is cut after a word, on one line, and the
    # PDF's text maps each glyph to its own character (no ToUnicode entry for a hidden word).
    assert "Awkward text\u2026" in text
    warnings = subprocess.run(["pdftotext", str(pdf), "/dev/null"], capture_output=True, text=True).stderr
    assert "ToUnicode" not in warnings


def test_a_running_head_is_cut_after_a_word_to_fit_its_line():
    from icat_reports.templating import running_head
    assert running_head("Contact", 200, 8, "Noto Sans") is None
    cut = running_head("Gaps and recommendations in the four key areas of the protocol", 120, 8, "Noto Sans")
    assert cut.endswith("\u2026") and "Gaps and recommendations in the four key areas".startswith(cut[:-1])
    word = running_head("X" * 400, 100, 8, "Noto Sans")
    assert word.endswith("\u2026") and 5 < len(word) < 60


def test_awkward_docx_holds_every_item(awkward):
    document = docx.Document(awkward[1] / "analytical-review.docx")
    cells = (p for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs)
    text = "\n".join(p.text for p in [*document.paragraphs, *cells])
    assert "Gap 999:" in text and LONG_WORD in text and WORLD in text


def test_two_builds_at_once_never_mix_files(tmp_path, monkeypatch):
    """Two builds of different content into one folder: the result is one of them, whole."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1292198400")  # same dates in every build
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(ROOT / "content", a)
    shutil.copytree(ROOT / "content", b)
    edit_yaml(b / "areas.yaml", lambda d: d["areas"][0]["gaps"].extend(f"Extra {i}" for i in range(300)))
    expected = {}
    for name, content in (("a", a), ("b", b)):
        assert main(["html", "docx", "--content", str(content), "--out", str(tmp_path / f"only-{name}")]) == 0
        expected[name] = {p.name: p.read_bytes() for p in (tmp_path / f"only-{name}").iterdir()}
    out = tmp_path / "shared"
    for _ in range(3):
        runs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "html", "docx", "--content",
                                  str(c), "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL)
                for c in (a, b)]
        assert [run.wait(timeout=120) for run in runs] == [0, 0]
        for path in out.iterdir():
            assert path.read_bytes() in (expected["a"][path.name], expected["b"][path.name]), path.name
        assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


# -- property-based: anything at all either builds or is refused with exit status 2 --------

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text)
structures = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
FILES = ["areas.yaml", "contact.yaml", "document.yaml", "handout.yaml", "organizations.yaml", "report.yaml"]
KEYS = {"areas.yaml": "areas", "report.yaml": "report", "handout.yaml": "handout"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(FILES), value=structures)
def test_any_structure_checks_or_exits_2(tmp_path_factory, file, value):
    content = tmp_path_factory.mktemp("prop") / "content"
    shutil.copytree(ROOT / "content", content)
    (content / file).write_text(yaml.safe_dump({KEYS.get(file, "x"): value}, allow_unicode=True), "utf-8")
    assert main(["check", "--content", str(content)]) in (0, 2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gap=text.filter(lambda s: s.strip()), title=text.filter(lambda s: s.strip()))
def test_any_text_builds_or_exits_2(tmp_path_factory, gap, title):
    base = tmp_path_factory.mktemp("proptext")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    edit_yaml(content / "areas.yaml", lambda d: d["areas"][0]["gaps"].append(gap))
    edit_yaml(content / "document.yaml", lambda d: d.update(subtitle=title))
    # Laying the Word file out with LibreOffice (its contents' page numbers) is tested on its
    # own (test_docx.py); here it would cost a second or two an example.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ICAT_SOFFICE", "")
        assert main(["html", "docx", "--content", str(content), "--out", str(base / "out")]) in (0, 2)


markdown = st.lists(st.sampled_from(list("ab1. #|-*_[]^:!()>`\n\t<&") + [
    "[^1]", "[^1]: x\n", "| a | b |\n", "|---|---|\n", "![x](images/none.png)", "\n\n", "## ", "    "]),
    max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=markdown, title=text)
def test_any_markdown_body_checks_or_exits_2(tmp_path_factory, body, title):
    """Whatever a section's body says in Markdown, the outline is read or refused in words."""
    content = tmp_path_factory.mktemp("propmd") / "content"
    shutil.copytree(ROOT / "content", content)
    edit_yaml(content / "report.yaml", lambda d: d["report"]["sections"].append({"title": title, "body": body}))
    assert main(["check", "--content", str(content)]) in (0, 2)


def test_awkward_slides_text_stays_inside_the_slide(awkward):
    """A 240-letter word breaks on the slide, and the slide fit counts the lines it takes."""
    from icat_reports.deck import SLIDE
    pdf = awkward[1] / "handout-slides.pdf"
    assert words_outside_text_area(pdf, SLIDE.margin_x) == []
    # Slide 2: the first after the title slide.
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Supercalifragilistic" in text
