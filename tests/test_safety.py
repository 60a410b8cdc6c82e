"""Content is text: no markup, script or foreign file gets from content into an output."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from icat_reports.cli import main

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src="file:///etc/passwd" onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(2)">link</a>',
    "<style>body{display:none}</style>",
]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The report built from content whose gaps carry markup and script."""
    import shutil
    from conftest import ROOT
    base = tmp_path_factory.mktemp("hostile")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    areas = content / "areas.yaml"
    text = areas.read_text("utf-8")
    text = text.replace("      - Reducing the demand\n", "      - Reducing the demand\n" + "".join(
        "      - " + _yaml_quote(item) + "\n" for item in HOSTILE), 1)
    areas.write_text(text, "utf-8")
    # The same in the outline's Markdown: paragraphs, a table cell and a footnote.
    import yaml
    report = content / "report.yaml"
    data = yaml.safe_load(report.read_text("utf-8"))
    body = "\n\n".join(HOSTILE) + "\n\n| Cell |\n| --- |\n| " + HOSTILE[2] + " |\n\nNote.[^1]\n\n[^1]: " + HOSTILE[4] + "\n"
    data["report"]["sections"].append({"title": HOSTILE[0], "id": "hostile", "body": body})
    report.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    out = base / "out"
    assert main(["html", "pdf", "docx", "--content", str(content), "--out", str(out)]) == 0
    return out


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_shows_markup_as_text_and_runs_no_script(hostile_build):
    html = (hostile_build / "analytical-review.html").read_text("utf-8")
    tags = Tags()
    tags.feed(html)
    names = [tag for tag, _ in tags.found]
    assert "script" not in names and "img" not in names
    assert names.count("style") == 1  # our own stylesheet only
    for tag, attrs in tags.found:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for value in attrs.values():
            assert not (value or "").lower().lstrip().startswith(("javascript:", "data:")), (tag, attrs)
    text = "".join(tags.text)
    assert "<script>alert(‘x’)</script>" in text  # shown, literally (its quotes typeset)
    assert "[click me](javascript:alert(1))" in text
    assert text.count("[click me](javascript:alert(1))") == 3  # a gap, a paragraph and a table cell


def test_pdf_has_no_script_attachment_or_foreign_link(hostile_build):
    reader = PdfReader(hostile_build / "analytical-review.pdf")
    root = reader.trailer["/Root"]
    assert "/Names" not in root or "/EmbeddedFiles" not in root["/Names"]
    assert "/OpenAction" not in root and "/AA" not in root
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            uri = str(action.get("/URI", ""))
            assert not uri or uri.startswith(("https:", "http:", "mailto:")), uri


def test_docx_links_are_web_or_mail_only(hostile_build):
    with zipfile.ZipFile(hostile_build / "analytical-review.docx") as docx:
        rels = docx.read("word/_rels/document.xml.rels").decode()
        assert "javascript:" not in rels and "data:" not in rels and "file:" not in rels
    import docx as python_docx
    document = python_docx.Document(hostile_build / "analytical-review.docx")
    text = "\n".join(p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs)
    assert "<script>alert(‘x’)</script>" in text  # shown, literally (its quotes typeset)


def test_fetcher_reads_only_project_files(tmp_path):
    from icat_reports.cli import PROJECT
    from icat_reports.engines.fetcher import ProjectOnlyFetcher
    fetcher = ProjectOnlyFetcher(PROJECT / "templates", allow_redirects=False)
    for url in ("file:///etc/passwd", f"file://{PROJECT}/README.md", "http://127.0.0.1:9/x",
                "https://example.org/x.css", f"file://{PROJECT}/templates/../README.md"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch(f"file://{PROJECT}/templates/theme.yaml")
    assert b"colors" in response.read()


def test_pdf_printer_refuses_to_attach_a_local_file(tmp_path):
    """WeasyPrint's default fetcher would embed /etc/passwd through rel=attachment."""
    from icat_reports.cli import PROJECT, load_document
    from icat_reports.job import Job, build_time
    from icat_reports.render.pdf import print_pdf
    from icat_reports.theme import load_theme
    document = load_document(PROJECT / "content")
    job = Job(document.content, document, load_theme(PROJECT / "templates"),
              PROJECT / "templates", build_time(), "test")
    html = ('<html lang="en"><head><title>t</title><link rel="attachment" href="file:///etc/passwd">'
            '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css"></head><body><p>x</p></body></html>')
    pdf = print_pdf(job, html)
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    assert b"root:" not in pdf
