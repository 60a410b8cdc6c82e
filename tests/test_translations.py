"""Translations as gettext catalogs (issue 16): extraction with context and locations, updates
that keep translations and mark changed English fuzzy, status, builds per language, and the
mistakes a catalog can hold. The project ships no translations: the tests fill catalogs
programmatically, marking each text with its language code."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from babel.messages import pofile
from pptx import Presentation
from pypdf import PdfReader

from icat_reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
LANGUAGES = ("ar", "es", "fr", "ru", "zh")


def fill(path: Path, language: str, skip: set[str] = frozenset()) -> None:
    """Every entry translated as 'LANG: source', which keeps its links and footnote marks."""
    catalog = pofile.read_po(path.open("rb"), locale=language)
    for message in catalog:
        if message.id and message.context not in skip:
            message.string = f"{language.upper()}: {message.id}"
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, include_previous=True)
    path.write_bytes(buffer.getvalue())


def entries(path: Path, language: str) -> dict:
    return {m.context: m for m in pofile.read_po(path.open("rb"), locale=language) if m.id}


@pytest.fixture
def brief(tmp_path) -> Path:
    target = tmp_path / "brief"
    shutil.copytree(BRIEF, target)
    return target


def test_a_catalog_holds_every_text_with_its_context_and_line(brief, capsys):
    assert main(["translations", "fr", "--content", str(brief)]) == 0
    po = brief / "translations" / "fr.po"
    found = entries(po, "fr")
    ids = {m.id for m in found.values()}
    # titles, paragraphs, list items, table cells, footnotes, the box, slide texts
    for text in ("Why coordination matters", "Referral works best when every agency knows the next step.",
                 "a single point of contact;", "Date of first contact", "Who records it",
                 "The steps are illustrative; each agency adapts them to its own mandate.",
                 "Key messages", "Name the contact point of your network"):
        assert text in ids, text
    # the Markdown keeps its marks: a footnote reference stays in the paragraph's text
    assert any("trafficked.[^1]" in i for i in ids)
    # no file names, ids, sources or addresses
    assert not any(i in ids for i in ("images/chart.png", "summary", "sections.summary", "icat-issue-brief"))
    report = (brief / "report.yaml").read_text("utf-8").splitlines()
    text = po.read_text("utf-8")
    context, line = re.search(r'#: \S*report\.yaml:(\d+)\nmsgctxt "(report\.sections\[1\]\.title)"', text).group(2, 1)
    assert "Why coordination matters" in report[int(line) - 1]


def test_an_update_keeps_translations_and_marks_changed_english_fuzzy(brief, capsys):
    assert main(["translations", "fr", "--content", str(brief)]) == 0
    po = brief / "translations" / "fr.po"
    fill(po, "fr")
    report = brief / "report.yaml"
    report.write_text(report.read_text("utf-8").replace("Why coordination matters", "Why coordination still matters"))
    capsys.readouterr()
    assert main(["translations", "fr", "--content", str(brief)]) == 0
    assert "1 outdated" in capsys.readouterr().out
    found = entries(po, "fr")
    title = found["report.sections[1].title"]
    assert title.fuzzy and title.id == "Why coordination still matters"
    assert title.string == "FR: Why coordination matters"  # the translation is kept
    assert not found["report.sections[0].title"].fuzzy
    assert "#| msgid \"Why coordination matters\"" in po.read_text("utf-8")

    assert main(["translations", "--status", "--content", str(brief)]) == 0
    out = capsys.readouterr().out
    line = next(i for i, l in enumerate(report.read_text("utf-8").splitlines(), 1) if "still matters" in l)
    assert re.search(r"fr: \d+ translated, 1 outdated \(fuzzy\), 0 missing", out)
    assert re.search(rf"report\.yaml:{line}: report\.sections\[1\]\.title: outdated", out)
    # --strict: the final edition refuses it
    assert main(["html", "--lang", "fr", "--strict", "--content", str(brief), "--out", str(brief / "o")]) == 2
    assert "report.sections[1].title: fr: outdated" in capsys.readouterr().err
    # the final edition is strict without being asked; a draft falls back to the English
    assert main(["html", "--lang", "fr", "--content", str(brief), "--out", str(brief / "o")]) == 2
    capsys.readouterr()
    assert main(["html", "--lang", "fr", "--draft", "--content", str(brief), "--out", str(brief / "o")]) == 0
    html = (brief / "o" / "fr" / "icat-issue-brief.html").read_text("utf-8")
    assert "Why coordination still matters" in html and "FR: Summary" in html


@pytest.fixture(scope="module")
def six(tmp_path_factory) -> Path:
    """The brief in its source language and five translations, built in one process."""
    base = tmp_path_factory.mktemp("six")
    content = base / "brief"
    shutil.copytree(BRIEF, content)
    assert main(["translations", *LANGUAGES, "--content", str(content)]) == 0
    for language in LANGUAGES:
        fill(content / "translations" / f"{language}.po", language)
    out = base / "out"
    assert main(["all", "--lang", "all", "--content", str(content), "--out", str(out)]) == 0
    return out


def test_every_language_builds_every_format_into_its_folder(six):
    assert (six / "icat-issue-brief.pdf").is_file()  # the source language in the folder itself
    for language in LANGUAGES:
        folder = six / language
        assert sorted(p.name for p in folder.iterdir()) == sorted([
            "icat-issue-brief.pdf", "icat-issue-brief.docx", "icat-issue-brief.html",
            "handout-slides.pdf", "handout-notes.pdf", "handout.pptx"])
        mark = f"{language.upper()}: Why coordination matters"
        html = (folder / "icat-issue-brief.html").read_text("utf-8")
        assert f'<html lang="{language}"' in html and mark in html
        pdf = PdfReader(folder / "icat-issue-brief.pdf")
        assert pdf.trailer["/Root"]["/Lang"] == language
        text = subprocess.run(["pdftotext", str(folder / "icat-issue-brief.pdf"), "-"], capture_output=True,
                              text=True).stdout
        assert mark in " ".join(text.split())
        word = docx.Document(folder / "icat-issue-brief.docx")
        assert word.core_properties.language == language
        assert any(mark in p.text for p in word.paragraphs)
        deck = Presentation(str(folder / "handout.pptx"))
        assert deck.core_properties.language == language
        slides = "\n".join(s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title is not None)
        assert f"{language.upper()}: " in slides


def test_the_layouts_fixed_words_come_in_each_language(six):
    fixed = {"fr": "Table des matières", "es": "Índice", "ru": "Содержание", "ar": "المحتويات", "zh": "目录"}
    for language, contents in fixed.items():
        html = (six / language / "icat-issue-brief.html").read_text("utf-8")
        assert contents in html, language
    text = subprocess.run(["pdftotext", str(six / "zh" / "icat-issue-brief.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert re.search(r"第 \d+ 页，共 \d+ 页", text)  # one phrase with its placeholders, not glued words


# -- mistakes in a catalog ------------------------------------------------------------------

def _catalog(brief: Path) -> Path:
    assert main(["translations", "fr", "--content", str(brief)]) == 0
    po = brief / "translations" / "fr.po"
    fill(po, "fr")
    return po


def test_a_catalog_with_a_syntax_error_is_refused_with_its_line(brief, capsys):
    po = _catalog(brief)
    lines = po.read_text("utf-8").splitlines()
    at = next(i for i, l in enumerate(lines) if l.startswith("msgstr ") and "FR:" in l)
    lines[at] = lines[at].replace("msgstr ", "msgstr_oops ")
    po.write_text("\n".join(lines) + "\n", "utf-8")
    capsys.readouterr()
    assert main(["html", "--lang", "fr", "--content", str(brief), "--out", str(brief / "o")]) == 2
    err = capsys.readouterr().err
    assert f"fr.po:{at + 1}: " in err and "the catalog cannot be read" in err  # the line it is on
    assert not (brief / "o").exists()


def test_a_duplicated_entry_is_refused(brief, capsys):
    po = _catalog(brief)
    text = po.read_text("utf-8")
    first = text.index("#: ", text.index('msgid ""') + 1)
    entry = text[first: text.index("\n\n", first) + 2]
    po.write_text(text + "\n" + entry, "utf-8")
    capsys.readouterr()
    assert main(["html", "--lang", "fr", "--content", str(brief), "--out", str(brief / "o")]) == 2
    assert "is given twice" in capsys.readouterr().err


def test_a_translation_that_drops_a_footnote_mark_names_its_entry(brief, capsys):
    po = _catalog(brief)
    catalog = pofile.read_po(po.open("rb"), locale="fr")
    message = next(m for m in catalog if m.id and "trafficked.[^1]" in m.id)
    message.string = "FR: sans la note"
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog)
    po.write_bytes(buffer.getvalue())
    capsys.readouterr()
    assert main(["html", "--lang", "fr", "--content", str(brief), "--out", str(brief / "o")]) == 2
    err = capsys.readouterr().err
    assert re.search(r"fr\.po:\d+: report\.sections\[0\]\.body\[1\]\.text#\d+: the translation must keep "
                     r"its footnote mark \(1\)", err), err


def test_a_language_without_a_catalog_is_told(brief, capsys):
    assert main(["html", "--lang", "ru", "--content", str(brief), "--out", str(brief / "o")]) == 2
    assert "no catalog for 'ru'" in capsys.readouterr().err


def test_dates_follow_the_language_through_cldr(six):
    """The cover's date in each language's CLDR long form, never an English month list."""
    import datetime
    from icat_reports.dates import long_date
    day = datetime.date(2010, 12, 13)
    assert long_date(day, "en") == "13 December 2010"
    assert long_date(day, "fr") == "13 décembre 2010"
    assert long_date(day, "zh") == "2010年12月13日"
    assert "декабря" in long_date(day, "ru") and "diciembre" in long_date(day, "es")
    assert "ديسمبر" in long_date(day, "ar")
    for language, month in {"fr": "décembre", "es": "diciembre", "ru": "декабря", "ar": "ديسمبر", "zh": "年"}.items():
        html = (six / language / "icat-issue-brief.html").read_text("utf-8")
        assert month in html, language
        assert "December" not in html.split("<body", 1)[1], language
        word = docx.Document(six / language / "icat-issue-brief.docx")
        assert any(month in p.text for p in word.paragraphs), language


def test_check_looks_at_every_language_with_its_limits_and_all_its_problems_at_once(brief, capsys):
    """`check` (no --lang) checks each catalog's edition too: a translated description over
    Office's 255 characters is refused before any build, beside the missing entries."""
    assert main(["translations", "fr", "--content", str(brief)]) == 0
    path = brief / "translations" / "fr.po"
    catalog = pofile.read_po(path.open("rb"), locale="fr")
    for message in catalog:
        if message.context == "description":
            message.string = "x" * 300
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    capsys.readouterr()
    assert main(["check", "--draft", "--content", str(brief)]) == 2
    err = capsys.readouterr().err
    assert "fr: the description takes 300 characters" in err and "document.yaml" in err
    assert main(["check", "--content", str(brief)]) == 2  # final: also every missing entry
    err = capsys.readouterr().err
    assert "fr: the description takes 300 characters" in err and "fr: not translated" in err


def test_every_shipped_language_has_every_fixed_word():
    """The package's labels in each of the six languages: no fixed word left in English."""
    import yaml
    data = ROOT / "icat_reports" / "data"
    english = yaml.safe_load((data / "labels.yaml").read_text("utf-8"))
    for language in LANGUAGES:
        words = yaml.safe_load((data / "labels" / f"{language}.yaml").read_text("utf-8"))
        assert sorted(set(english) - set(words)) == [], language
        same = {"isbn", "fax", "telephone", "email", "notes"}  # words some languages write as English does
        assert not [k for k in english if k in words and words[k] == english[k] and k not in same], language
