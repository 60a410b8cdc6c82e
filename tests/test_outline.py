"""The outline (report.yaml) to the document tree, without rendering: the ICAT content and a
second publication of another shape (tests/fixtures/brief/, an issue brief with no member
table, key areas or contact page) expand into the sections, lists, tables, boxes, figures
and footnotes they say; each mistake of an outline exits 2 naming its file and line; and
no code or template knows a section of the review by name."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from icat_reports import deck, tree
from icat_reports.cli import load, main
from icat_reports.inline import nbsp, spans, typeset
from seed_facts import REPORT_FACTS, normalize

BRIEF = ROOT / "tests" / "fixtures" / "brief"
CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def icat():
    return load(CONTENT)[0]


@pytest.fixture(scope="module")
def brief():
    return load(BRIEF)


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(source, target)
    return target


def edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} is not in {file}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def line_of(path: Path, marker: str) -> int:
    """The number of the one line of path that holds marker (the file's comments left out:
    a `#` in the first column, for a Markdown heading in a body is indented)."""
    lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if marker in line and not line.startswith("#")]
    assert len(lines) == 1, f"{marker!r} is on lines {lines} of {path.name}"
    return lines[0]


def check(folder: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "--content", str(folder), "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err


def reported(err: str, folder: Path, file: str, line: int, message: str) -> bool:
    """Whether err has a line '<folder>/<file>:<line>: ... <message>' (message a regex)."""
    where = re.escape(f"{folder}/{file}:{line}: ")
    return any(re.match(where + ".*" + message, text) for text in err.splitlines())


def walk_entries(entries, level=1):
    """(level, id, title) of each section written in report.yaml, `source: areas` as such."""
    for entry in entries:
        yield level, entry.get("id"), entry.get("title") or f"source: {entry['source']}"
        yield from walk_entries(entry.get("sections", []), level + 1)


# -- the ICAT content --------------------------------------------------------------------

def test_icat_sections_are_those_of_report_yaml(icat):
    written = yaml.safe_load((CONTENT / "report.yaml").read_text("utf-8"))["report"]
    assert icat.content.report.output == written["output"]
    expected = []
    for level, id, title in walk_entries(written["sections"]):
        if title == "source: areas":  # one sub-section per key area, in the order of areas.yaml
            expected += [(level, area.id, area.name) for area in icat.content.areas]
        else:
            expected.append((level, id, title))
    got = [(s.level, s.id, s.plain_title) for s in icat.walk()]
    assert got == expected


def test_icat_levels_nest_and_ids_are_unique(icat):
    def depth(sections, level):
        for section in sections:
            assert section.level == level, section.id
            assert section.level <= tree.MAX_LEVEL
            depth(section.sections, level + 1)
    depth(icat.sections, 1)
    ids = [s.id for s in icat.walk()]
    assert len(ids) == len(set(ids))
    assert not set(ids) & tree.RESERVED_IDS
    assert all(icat.section(id).id == id for id in ids)
    assert all(s.where.file.endswith("report.yaml") or s.where.file.endswith("areas.yaml")
               for s in icat.walk())


def test_icat_key_areas_come_from_areas_yaml(icat):
    key_areas = [s for s in icat.walk() if any(isinstance(b, tree.KeyArea) for b in s.blocks)]
    assert [s.plain_title for s in key_areas] == [a.name for a in icat.content.areas]
    for section, area in zip(key_areas, icat.content.areas):
        (block,) = section.blocks
        assert [tree.plain(g) for g in block.gaps] == area.gaps
        assert [tree.plain(r) for r in block.recommendations] == area.recommendations
        assert section.where.file.endswith("areas.yaml")


def test_icat_footnotes_are_numbered_in_order(icat):
    marks = [span.note for s in icat.walk() for b in tree.iter_blocks(s.blocks)
             if isinstance(b, tree.Paragraph) for span in b.text if span.note is not None]
    assert marks == list(range(1, len(marks) + 1)) == sorted(icat.footnotes)
    assert marks, "the review has a footnote"
    assert all(icat.footnotes[n].number == n and icat.footnotes[n].blocks for n in marks)


def test_icat_member_table_and_lists(icat):
    c = icat.content
    tables = [b for s in icat.walk() for b in s.blocks if isinstance(b, tree.Table)]
    (members,) = tables
    assert [tree.plain(h) for h in members.header][:2] == [c.labels.acronym, c.labels.organization]
    assert [tree.plain(row[0]) for row in members.rows] == [o.acronym for o in c.with_role("member")]
    # Names are typeset as all text is: "Children's" is set "Children’s".
    assert [tree.plain(row[1]) for row in members.rows] == [typeset(o.name) for o in c.with_role("member")]
    assert members.row_headers and tree.plain(members.caption)
    ordered = [b for s in icat.walk() for b in s.blocks if isinstance(b, tree.OrderedList)]
    assert len(ordered) == 1 and len(ordered[0].items) == 3 and ordered[0].start == 1
    named = [b for s in icat.walk() for b in s.blocks if isinstance(b, tree.BulletList) and b.names]
    assert [tree.plain(i.text) for i in named[0].items] == [typeset(tree.org_line(o)) for o in c.with_role("contributor")]
    assert named[0].columns == 2


def test_text_is_typeset_with_curly_quotes(icat):
    """Quotes and apostrophes are the typographer's, in the outline's Markdown and the data
    files' texts alike: no straight ' or " is left anywhere in the tree."""
    texts = [tree.plain(s.title) for s in icat.walk()]
    for block in (b for s in icat.walk() for b in tree.iter_blocks(s.blocks)):
        for name in ("text", "caption", "intro"):
            if isinstance(getattr(block, name, None), tuple):
                texts.append(tree.plain(getattr(block, name)))
        for item in getattr(block, "items", ()):
            texts.append(tree.plain(item.text))
        for row in (getattr(block, "header", ()), *getattr(block, "rows", ())):
            texts += [tree.plain(cell) for cell in row]
        for gap in (*getattr(block, "gaps", ()), *getattr(block, "recommendations", ())):
            texts.append(tree.plain(gap))
    joined = "\n".join(texts)
    assert "'" not in joined and '"' not in joined
    assert "Children’s Fund" in joined and "ICAT’s functions" in joined and "“" in joined
    assert tree.plain(spans('"Quoted" -- it\'s')) == "“Quoted” – it’s"


def test_non_breaking_spaces_where_the_language_wants_them():
    assert nbsp("Sales No. 10 and 5 %") == "Sales No.\u00a010 and 5\u00a0%"
    assert nbsp("Pourquoi ? Voici : « oui »", "fr") == "Pourquoi\u202f? Voici\u202f: «\u202foui\u202f»"
    assert tree.plain(spans('Il dit "oui"', "fr")) == "Il dit «\u202foui\u202f»"


# -- the issue brief ----------------------------------------------------------------------

def test_brief_is_a_publication_of_its_own(brief):
    document, _ = brief
    c = document.content
    assert c.report.output == "icat-issue-brief"
    assert c.publisher == "ICAT" and c.coordinator is None
    assert c.organizations == [] and c.areas == [] and c.contact is None and c.links == []
    assert not [p.name for p in BRIEF.glob("*.yaml")
                if p.name in ("organizations.yaml", "areas.yaml", "contact.yaml")]


def test_brief_carries_none_of_the_reviews_sentences():
    text = normalize(" ".join(p.read_text("utf-8") for p in BRIEF.glob("*.yaml")))
    publisher = yaml.safe_load((BRIEF / "document.yaml").read_text("utf-8"))["publisher_name"]
    review = [f for f in REPORT_FACTS if len(f) > 30 and f != publisher]  # ICAT's name is its own
    assert review and [f for f in review if normalize(f) in text] == []
    written = yaml.safe_load((CONTENT / "report.yaml").read_text("utf-8"))
    sentences = [s for s in re.split(r"(?<=[.:;])\s+", " ".join(str(v) for v in _strings(written)))
                 if len(s) > 40]
    assert sentences and [s for s in sentences if normalize(s) in text] == []


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield " ".join(value.split())


def test_brief_sections_levels_and_ids(brief):
    document, _ = brief
    assert [(s.level, s.id) for s in document.walk()] == [
        (1, "summary"), (1, "why"), (2, "many-doors"), (3, "route"), (2, "counting"),
        (1, "steps"), (2, "contact-point"), (2, "training")]
    assert [s.starts_page for s in document.sections] == [False, True, True]
    assert document.section("route").plain_title == "What a referral route looks like"
    report = BRIEF / "report.yaml"
    assert document.section("summary").where.line == line_of(report, "- title: Summary")
    assert document.section("route").where.line == line_of(report, "- title: What a referral route")


def test_brief_footnotes_are_numbered_across_the_document(brief):
    """Both sections label their note [^1]; a label belongs to its text, a number to the document."""
    document, _ = brief
    assert sorted(document.footnotes) == [1, 2]

    def marks(id):
        return [span.note for b in document.section(id).blocks if isinstance(b, tree.Paragraph)
                for span in b.text if span.note is not None]
    assert marks("summary") == [1] and marks("counting") == [2]
    report = BRIEF / "report.yaml"
    first, second = document.footnotes[1], document.footnotes[2]
    assert tree.plain(first.blocks[0].text).startswith("The steps are illustrative")
    assert tree.plain(second.blocks[0].text).startswith("For example, whether a case is counted")
    assert first.where.line == line_of(report, "[^1]: The steps")
    assert second.where.line == line_of(report, "[^1]: For example")


def test_brief_table(brief):
    document, _ = brief
    (table,) = [b for b in document.section("counting").blocks if isinstance(b, tree.Table)]
    assert [tree.plain(h) for h in table.header] == ["Field", "Who records it", "When"]
    assert [[tree.plain(cell) for cell in row] for row in table.rows] == [
        ["Date of first contact", "First service", "At the first meeting"],
        ["Type of exploitation", "Contact point", "After the assessment"],
        ["Services offered", "Each service", "When offered"],
        ["Outcome", "Contact point", "At case closure"]]
    assert table.where.line == line_of(BRIEF / "report.yaml", "| Field |")


def test_brief_ordered_list_quote_and_nested_bullets(brief):
    document, _ = brief
    ordered, quote = document.section("route").blocks
    assert isinstance(ordered, tree.OrderedList) and ordered.start == 1
    assert [tree.plain(i.text) for i in ordered.items][0] == \
        "The first service notes the signs and explains the options."
    assert len(ordered.items) == 4
    assert isinstance(quote, tree.Quote)
    assert tree.plain(quote.blocks[0].text).startswith("A route on paper")
    intro, bullets = document.section("many-doors").blocks
    assert isinstance(intro, tree.Paragraph) and isinstance(bullets, tree.BulletList)
    assert [tree.plain(i.text) for i in bullets.items] == [
        "a single point of contact;", "consent asked once, and recorded;",
        "information shared only as far as needed."]
    (nested,) = bullets.items[1].children
    assert isinstance(nested, tree.BulletList)
    assert [tree.plain(i.text) for i in nested.items] == [
        "with the right to withdraw it;", "in a language the person understands;"]


def test_brief_box(brief):
    document, _ = brief
    box, text = document.section("summary").blocks
    assert isinstance(box, tree.Box) and isinstance(text, tree.Paragraph)
    assert tree.plain(box.title) == "Key messages"
    (messages,) = box.blocks
    assert len(messages.items) == 3
    assert tree.plain(messages.items[0].text) == "Referral works best when every agency knows the next step."


def test_brief_figure_and_its_image(brief):
    from PIL import Image
    import io
    document, images = brief
    (figure,) = [b for b in document.section("steps").blocks if isinstance(b, tree.Figure)]
    assert figure.file == "images/chart.png"
    assert figure.alt == "A bar chart with three bars, rising from left to right"
    assert tree.plain(figure.caption) == "Agencies that had taken each step (illustrative)"
    assert figure.where.line == line_of(BRIEF / "report.yaml", "](images/chart.png")
    assert document.images == (figure,)
    assert images["images/chart.png"] == (BRIEF / "images" / "chart.png").read_bytes()
    assert Image.open(io.BytesIO(images["images/chart.png"])).size == (600, 300)


def test_brief_slides_take_its_sections(brief):
    document, _ = brief
    doors = deck.resolve(document, "sections.many-doors")
    assert doors.title == "Many doors, one person"
    assert doors.intro.startswith("Each service sees only part of the story")
    assert [b.text for b in doors.bullets][0] == "a single point of contact;"
    assert doors.bullets[1].items == ("with the right to withdraw it;", "in a language the person understands;")
    assert len(deck.resolve(document, "sections.route").bullets) == 4
    assert deck.resolve(document, "sections.summary").footnote.startswith("The steps are illustrative")
    names = deck.source_names(document)
    assert "members" not in names and "areas" not in names and "sections.training" in names
    own = document.content.handout.slides[-1]
    assert own.source is None and own.title == "What to do next" and len(own.bullets) == 3


def test_brief_checks(tmp_path, capsys):
    code, err = check(BRIEF, tmp_path, capsys)
    assert code == 0, err
    assert "nothing in report.yaml" not in err


# -- mistakes of an outline ---------------------------------------------------------------

@dataclass
class Case:
    id: str
    old: str                 # replaced by new in file ...
    new: str
    marker: str              # ... and the problem is on the line of the edited file that holds this
    message: str             # a regular expression
    file: str = "report.yaml"
    content: Path = BRIEF


DEEPER = """\
                > A route on paper is only useful when the people on it have met.
              sections:
                - title: A fourth level
                  body: One level too many.
"""

CASES = [
    Case("unknown-report-source", "            - source: organizations.contributor",
         "            - source: organisations.contributor", "source: organisations.contributor",
         r"unknown source 'organisations\.contributor'; did you mean 'organizations\.contributor'\?",
         content=CONTENT),
    Case("unknown-sourced-sections", "        - source: areas\n", "        - source: area\n",
         "- source: area", r"unknown source 'area'; did you mean 'areas'\?", content=CONTENT),
    Case("unknown-source-in-a-brief", "- text: |\n            This brief",
         "- source: document.titel\n        - text: |\n            This brief", "source: document.titel",
         r"unknown source 'document\.titel'; did you mean 'document\.title'\?"),
    Case("unknown-slide-source", "source: sections.many-doors", "source: sections.many-door",
         "sections.many-door", r"unknown source 'sections\.many-door'; did you mean 'sections\.many-doors'\?",
         file="handout.yaml"),
    Case("two-sections-one-id", "id: counting", "id: why  # again", "id: why  # again",
         r"the id 'why' is already given to the section at .*report\.yaml:\d+"),
    Case("footnote-not-defined", "trafficked.[^1]", "trafficked.[^1] See [^gone].", "[^gone]",
         r"the footnote \[\^gone\] is referenced but not defined"),
    Case("footnote-never-used", "thing.[^1] The table", "thing. The table", "[^1]: For example",
         r"the footnote \[\^1\] is defined but never referenced"),
    Case("row-too-short", "| Services offered | Each service | When offered |",
         "| Services offered | Each service |", "| Services offered |",
         r"row 3 of the table has 2 cells; the table has 3 columns"),
    Case("row-too-long", "| Outcome | Contact point | At case closure |",
         "| Outcome | Contact point | At case closure | Archived |", "| Outcome |",
         r"row 4 of the table has 4 cells; the table has 3 columns"),
    Case("image-missing", "images/chart.png", "images/missing.png", "images/missing.png",
         r"no such file: images/missing\.png"),
    Case("image-outside", "images/chart.png", "../x.png", "](../x.png",
         r"image '\.\./x\.png': '\.\.' is not allowed: the file must be inside the content folder"),
    Case("image-without-alt", "![A bar chart with three bars, rising from left to right]", "![]",
         "![](images/chart.png", r"image 'images/chart\.png' has no alternative text"),
    Case("heading-in-a-body", "            Name one office", "            ## Call us\n\n            Name one office",
         "## Call us", r"a heading inside a body; make it a sub-section"),
    Case("four-levels-deep", DEEPER.splitlines(keepends=True)[0], DEEPER, "- title: A fourth level",
         r"sections nest at most 3 levels deep"),
]


def _break(folder: Path, case: Case) -> None:
    edit(folder, case.file, case.old, case.new)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_outline_mistake_names_file_and_line(case, tmp_path, capsys):
    folder = copy(case.content, tmp_path)
    _break(folder, case)
    code, err = check(folder, tmp_path, capsys)
    assert code == 2, err
    line = line_of(folder / case.file, case.marker)
    assert reported(err, folder, case.file, line, case.message), f"expected {case.file}:{line}: " \
                                                                 f"/{case.message}/ in:\n{err}"
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_duplicate_id_names_the_first_section_too(tmp_path, capsys):
    folder = copy(BRIEF, tmp_path)
    _break(folder, next(c for c in CASES if c.id == "two-sections-one-id"))
    _, err = check(folder, tmp_path, capsys)
    first = line_of(folder / "report.yaml", "- title: Why coordination matters")
    assert f"already given to the section at {folder}/report.yaml:{first}" in err


TOGETHER = ["two-sections-one-id", "footnote-not-defined", "footnote-never-used", "row-too-short",
            "row-too-long", "image-outside", "heading-in-a-body", "four-levels-deep"]


def test_every_mistake_of_the_outline_is_reported_at_once(tmp_path, capsys):
    folder = copy(BRIEF, tmp_path)
    cases = [c for c in CASES if c.id in TOGETHER]
    for case in cases:
        _break(folder, case)
    code, err = check(folder, tmp_path, capsys)
    assert code == 2
    for case in cases:
        line = line_of(folder / case.file, case.marker)
        assert reported(err, folder, case.file, line, case.message), f"{case.id} not in:\n{err}"
    # And the slide that showed the section whose id was changed: its source is gone.
    assert "handout.slides[3].source: unknown source 'sections.counting'" in err
    assert f"{len(cases) + 1} problems in the content" in err


def test_mistakes_of_every_stage_are_reported_at_once(tmp_path, capsys):
    folder = copy(BRIEF, tmp_path)
    cases = [c for c in CASES if c.id in ("two-sections-one-id", "unknown-slide-source")]
    for case in cases:
        _break(folder, case)
    edit(folder, "report.yaml", "      starts_page: true\n      body: |\n        The figure",
         "      starts_page: perhaps\n      body: |\n        The figure")
    code, err = check(folder, tmp_path, capsys)
    assert code == 2
    assert reported(err, folder, "report.yaml", line_of(folder / "report.yaml", "perhaps"), "expected yes or no")
    for case in cases:
        assert reported(err, folder, case.file, line_of(folder / case.file, case.marker), case.message), err


def test_an_inline_note_is_text_not_a_crash(tmp_path, capsys):
    """`^[text]` (Pandoc's inline note) has no label: it stays text; a note is [^label]."""
    folder = copy(BRIEF, tmp_path)
    edit(folder, "report.yaml", "Train together\n          id: training\n          body: |\n",
         "Train together\n          id: training\n          body: |\n            Often^[not always] so.\n\n")
    code, err = check(folder, tmp_path, capsys)
    assert code == 0, err
    document = load(folder)[0]
    assert tree.plain(document.section("training").blocks[0].text) == "Often^[not always] so."
    assert sorted(document.footnotes) == [1, 2]


# -- content files nothing uses ------------------------------------------------------------

def test_a_data_file_nothing_uses_is_a_warning_not_an_error(tmp_path, capsys):
    folder = copy(BRIEF, tmp_path)
    shutil.copy(CONTENT / "areas.yaml", folder / "areas.yaml")
    code, err = check(folder, tmp_path, capsys)
    assert code == 0, err
    assert f"{folder}/areas.yaml: nothing in report.yaml or handout.yaml uses `areas`" in err
    edit(folder, "handout.yaml", "    - title: What to do next", "    - title: Areas\n      source: areas\n    - title: What to do next")
    code, err = check(folder, tmp_path, capsys)
    assert code == 0 and "nothing in report.yaml" not in err, err


def test_a_section_named_like_a_data_file_does_not_count_as_using_it(tmp_path, capsys):
    """`sections.contact-point` is a section, not the contact file."""
    folder = copy(BRIEF, tmp_path)
    (folder / "contact.yaml").write_text(
        "contact:\n  intro: Write to\n  unit: The brief's editors\n  address: [1 Example Street]\n", "utf-8")
    edit(folder, "handout.yaml", "    - title: What to do next", "    - source: sections.contact-point\n"
                                                                  "    - title: What to do next")
    code, err = check(folder, tmp_path, capsys)
    assert code == 0, err
    assert f"{folder}/contact.yaml: nothing in report.yaml or handout.yaml uses `contact`" in err
    edit(folder, "handout.yaml", "    - title: What to do next\n", "    - title: What to do next\n"
                                                                    "      notes:\n        source: contact\n")
    code, err = check(folder, tmp_path, capsys)
    assert code == 0 and "nothing in report.yaml" not in err, err


def test_the_icat_content_uses_every_file(tmp_path, capsys):
    code, err = check(CONTENT, tmp_path, capsys)
    assert code == 0, err
    assert "nothing in report.yaml" not in err


# -- the code knows no section of the review -----------------------------------------------

HEADINGS = ["About ICAT", "Global Plan", "How ICAT began", "Formal establishment",
            "Contributing organizations"]


def _review_ids() -> list[str]:
    """The section ids of content/report.yaml, but those that are also the names of data
    sources or files (members, contact, links ...), which the code names as sources."""
    written = yaml.safe_load((CONTENT / "report.yaml").read_text("utf-8"))["report"]["sections"]
    sources = {name.split(".")[0] for name in tree._Builder.SOURCES} | {"organizations", "areas", "contact"}
    return [id for _, id, _ in walk_entries(written) if id and id not in sources]


def test_no_code_or_template_names_a_section_of_the_review():
    ids = _review_ids()
    assert {"about", "history", "global-plan"} <= set(ids)
    quoted = re.compile(r"""["'](%s)["']""" % "|".join(map(re.escape, ids)))
    selector = re.compile(r"#(%s)\b" % "|".join(map(re.escape, ids)))
    found = []
    files = [p for folder in (ROOT / "icat_reports", ROOT / "templates") for p in sorted(folder.rglob("*"))
             if p.is_file() and (p.suffix in (".py", ".html", ".css", ".j2"))]
    assert any(p.suffix == ".py" for p in files) and any(p.suffix == ".css" for p in files)
    for path in files:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
            if any(h.casefold() in line.casefold() for h in HEADINGS) or quoted.search(line) \
                    or (path.suffix == ".css" and selector.search(line)):
                found.append(where)
    assert found == []
