"""The live preview (build.py preview): path safety, loopback only, content errors in the page,
every language with a catalog (each rebuilt only when a change affects it), a real browser
seeing an edit, and a clean Ctrl-C. Each test runs the command as users do, in a
subprocess on a free port, against a copy of a content folder. No wall-clock figure is asserted
(bench/preview.py measures them); the waits below only bound a test that would hang."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from babel.messages import pofile
from pypdf import PdfReader

pytest.importorskip("watchfiles")

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
A11Y = ROOT / "tools" / "a11y"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RECOMMENDATION = "Increase the focus on demand in destination countries"
UNTRANSLATED = "report.sections[1].title"  # left out of the French catalog: shown in English
TITLE = "Why coordination matters"          # its English


class Preview:
    def __init__(self, content: Path, out: Path):
        self.content, self.out = content, out
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "preview", "--content", str(content), "--out", str(out),
             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            start_new_session=True)  # its own group: SIGINT to it is what Ctrl-C does
        line = self.process.stdout.readline()
        match = re.fullmatch(r"preview at http://127\.0\.0\.1:([0-9]+)/ \(Ctrl-C to stop\)\n", line)
        assert match, (line, self.process.stderr.read() if self.process.poll() is not None else "")
        self.port = int(match[1])
        self.url = f"http://127.0.0.1:{self.port}/"

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)  # the path as is
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def state(self) -> dict:
        status, body = self.get("/state")
        assert status == 200
        return json.loads(body)

    def until(self, test, what: str, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if test(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"the preview never got {what}: {self.state()}")

    def built(self) -> dict:
        return self.until(lambda s: s["languages"] and s["languages"][0]["html_version"] > 0
                          and not s["building"] and s["languages"][0]["slides_version"] > 0, "built")

    def languages(self, state: dict) -> dict:
        return {lang["code"]: lang for lang in state["languages"]}

    def idle(self, test=lambda state: True, what: str = "idle") -> dict:
        """The state once nothing is rendering, building or waiting to be built, and test holds."""
        return self.until(lambda s: not (s["building"] or s["queued"] or s["rendering"]) and test(s), what)

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if not self.process.stderr.closed:
                self.stderr = self.process.stderr.read()
                self.process.stdout.close()
                self.process.stderr.close()


@pytest.fixture
def brief(tmp_path):
    content = tmp_path / "brief"
    shutil.copytree(BRIEF, content)
    preview = Preview(content, tmp_path / "out")
    yield preview
    preview.stop()


def fill(path: Path, language: str, skip: set[str] = frozenset()) -> None:
    """Every entry translated as 'LANG: source' (as tests/test_translations.py does), but skip."""
    catalog = pofile.read_po(path.open("rb"), locale=language)
    for message in catalog:
        if message.id and message.context not in skip:
            message.string = f"{language.upper()}: {message.id}"
    with path.open("wb") as f:
        pofile.write_po(f, catalog, include_previous=True)


@pytest.fixture
def bilingual(tmp_path):
    """The brief with a French catalog, every entry translated but one."""
    content = tmp_path / "brief"
    shutil.copytree(BRIEF, content)
    made = subprocess.run([sys.executable, str(ROOT / "build.py"), "translations", "fr", "--content", str(content)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert made.returncode == 0, made.stderr
    fill(content / "translations" / "fr.po", "fr", skip={UNTRANSLATED})
    preview = Preview(content, tmp_path / "out")
    yield preview
    preview.stop()


@pytest.fixture
def icat(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    preview = Preview(content, tmp_path / "out")
    yield preview
    preview.stop()


def test_serves_nothing_outside_its_folder(brief, tmp_path):
    state = brief.built()
    lang = state["languages"][0]
    assert brief.get(lang["report"])[0] == 200
    assert brief.get("/")[0] == 200
    folder = brief.out / "preview" / lang["code"]
    (folder / "leak.md").symlink_to(ROOT / "README.md")
    (folder / "inner.html").symlink_to(folder / Path(lang["report"]).name)  # even one inside
    (folder / "up").symlink_to(ROOT, target_is_directory=True)
    (brief.out / "secret.txt").write_text("outside the preview's folder")
    code = lang["code"]
    for path in ["/../README.md", "/%2e%2e/README.md", "/%2E%2E/%2e%2e/README.md", "//etc/passwd",
                 "/..%2fREADME.md", "/%2e%2e%2fsecret.txt", "/../secret.txt", f"/{code}/../../secret.txt",
                 f"/{code}/%2e%2e/%2e%2e/secret.txt", "/%2fetc%2fpasswd", "/etc/passwd",
                 f"/{code}/leak.md", f"/{code}/inner.html", f"/{code}/up/README.md", "/..\\README.md",
                 f"/{code}/%00", "/%c0%ae%c0%ae/README.md", f"/{code}/slides/.x.part/a.jpg"]:
        status, body = brief.get(path)
        assert status in (403, 404), (path, status)
        assert b"icat-reports" not in body and b"root:" not in body, path


def test_answers_only_on_loopback(brief):
    brief.get("/")
    with pytest.raises(OSError):  # 127.0.0.1 only: not the rest of 127/8, not another interface
        socket.create_connection(("127.0.0.2", brief.port), timeout=5).close()
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {"127.0.0.1"}:
        if address.startswith("127."):
            continue
        with pytest.raises(OSError):
            socket.create_connection((address, brief.port), timeout=5).close()
    # A page of another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
    assert brief.get("/state", host=f"evil.example:{brief.port}")[0] == 403
    assert brief.get("/state", host=f"localhost:{brief.port}")[0] == 200


def test_a_content_error_shows_beside_the_last_good_preview(brief):
    state = brief.built()
    report = state["languages"][0]["report"]
    good = brief.get(report)[1]
    document = brief.content / "document.yaml"
    text = document.read_text()
    document.write_text(re.sub(r"(?m)^date: .*$", "date: not a date", text, count=1))
    line = next(i for i, l in enumerate(document.read_text().splitlines(), 1) if l.startswith("date:"))
    state = brief.until(lambda s: s["errors"], "the error")
    (error,) = [e for e in state["errors"] if e["file"] == "document.yaml"]
    assert error["line"] == line and "date" in error["message"]
    assert error["text"].startswith(f"document.yaml:{line}: ")
    assert brief.get(report) == (200, good)  # the last good preview, still served
    assert b'id="problems"' in brief.get("/")[1]
    document.write_text(text)
    state = brief.until(lambda s: not s["errors"], "the error cleared")
    assert brief.get(report)[0] == 200


def _idle(state) -> bool:
    return not (state.building or state.queued or state.rendering)


def test_every_language_with_a_catalog_is_previewed(bilingual):
    state = bilingual.until(lambda s: len(s["languages"]) == 2 and all(lang["html_version"] for lang in s["languages"]),
                            "both reports")
    assert [(lang["code"], lang["source"]) for lang in state["languages"]] == [("en", True), ("fr", False)]
    found = bilingual.languages(state)
    for code, lang in found.items():
        assert lang["report"] == f"/{code}/icat-issue-brief.html"
        assert {o["format"] for o in lang["outputs"]} == {"html", "pdf", "docx", "handout"}
        assert all(o["href"] == f"/{code}/{o['name']}" for o in lang["outputs"])
    french = bilingual.get(found["fr"]["report"])[1].decode()
    assert "FR: Summary" in french and TITLE in french  # the missing entry in English, not refused
    assert 'lang="fr"' in french
    assert "FR: Summary" not in bilingual.get(found["en"]["report"])[1].decode()
    assert b'role="tablist"' in bilingual.get("/")[1]

    # The source changed: every language is rebuilt (the French falls back to the new English).
    report = bilingual.content / "report.yaml"
    report.write_text(report.read_text("utf-8").replace(TITLE, "Why coordination still matters"), "utf-8")
    state = bilingual.idle(lambda s: all(
        lang["html_version"] > found[lang["code"]]["html_version"] and lang["slides_version"]
        and all(o["version"] for o in lang["outputs"]) for lang in s["languages"]), "every language rebuilt")
    assert not state["errors"]
    for code, lang in bilingual.languages(state).items():
        assert "Why coordination still matters" in bilingual.get(lang["report"])[1].decode(), code
        for output in lang["outputs"]:  # each language's own files, in <out>/preview/<language>/
            assert (bilingual.out / "preview" / code / output["name"]).is_file()
            assert bilingual.get(output["href"])[0] == 200
        assert lang["slides"] and all(s.startswith(f"/{code}/slides/") for s in lang["slides"])
        pdf = PdfReader(bilingual.out / "preview" / code / "icat-issue-brief.pdf")
        assert "Why coordination still matters" in " ".join(page.extract_text() for page in pdf.pages), code
    counts = bilingual.languages(state)["fr"]["translation"]
    assert counts == {"translated": counts["total"] - 1, "outdated": 0, "missing": 1, "total": counts["total"]}
    assert "FR: Summary" in bilingual.get(found["fr"]["report"])[1].decode()


def test_a_change_rebuilds_only_the_languages_it_affects_the_source_first(tmp_path):
    """The builder itself, its subprocess builds recorded instead of run: what each change
    rebuilds, and in which order."""
    from icat_reports import preview
    from icat_reports.cli import templates_dir

    content = tmp_path / "brief"
    shutil.copytree(BRIEF, content)
    made = subprocess.run([sys.executable, str(ROOT / "build.py"), "translations", "fr", "--content", str(content)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert made.returncode == 0, made.stderr
    fill(content / "translations" / "fr.po", "fr", skip={UNTRANSLATED})
    templates, every = templates_dir(), set(preview.EVERY_FORMAT)
    po, report = content / "translations" / "fr.po", content / "report.yaml"
    assert preview.stale([po], content, templates) == {"fr": every}
    assert preview.stale([report, content / "images" / "chart.png"], content, templates) == {preview.EVERY: every}
    assert preview.stale([templates / "slides.html.j2"], content, templates) == {preview.EVERY: {"handout"}}
    assert preview.stale([po, templates / "report.html"], content, templates) == {"fr": every,
                                                                                   preview.EVERY: {"html", "pdf"}}
    assert preview.stale([content / "translations" / "fr.po~"], content, templates) == {}

    state = preview.State()
    builder = preview.Builder(state, content, tmp_path / "preview", templates)
    done: list[tuple[str, tuple[str, ...]]] = []
    render = builder._html

    def html(key, document, images):
        done.append((builder.code(key), ("html",)))
        render(key, document, images)

    builder._html = html
    builder._build = lambda formats, key, code, report: done.append((code, formats))
    threads = [threading.Thread(target=builder.run_changes, daemon=True),
               threading.Thread(target=builder.run_builds, daemon=True)]
    for thread in threads:
        thread.start()

    def after(formats, language=preview.EVERY):
        done.clear()
        builder.changed(formats, language)  # rendering from here on: never idle before it is done
        deadline = time.monotonic() + 60
        while not _idle(state) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _idle(state), state.snapshot()
        return list(done)

    try:
        everything = [("en", ("html",)), ("fr", ("html",)), ("en", ("handout",)), ("en", ("pdf", "docx")),
                      ("fr", ("handout",)), ("fr", ("pdf", "docx"))]
        assert after(every) == everything  # the HTML first, the source first
        assert [lang["code"] for lang in state.snapshot()["languages"]] == ["en", "fr"]
        versions = {lang["code"]: lang["html_version"] for lang in state.snapshot()["languages"]}
        assert after(every, "fr") == [("fr", ("html",)), ("fr", ("handout",)), ("fr", ("pdf", "docx"))]
        html_versions = {lang["code"]: lang["html_version"] for lang in state.snapshot()["languages"]}
        assert html_versions == {"en": versions["en"], "fr": versions["fr"] + 1}
        assert after({"handout"}) == [("en", ("handout",)), ("fr", ("handout",))]  # a slides template
        assert after(every) == everything  # a content file
        po.unlink()  # a catalog removed: its language is no longer previewed
        assert after(every, "fr") == []
        assert [lang["code"] for lang in state.snapshot()["languages"]] == ["en"]
    finally:
        builder.stop()
        for thread in threads:
            thread.join(timeout=10)


def test_a_broken_catalog_shows_its_line_while_the_source_keeps_previewing(bilingual):
    from icat_reports.cli import load
    from icat_reports.problems import ContentError

    state = bilingual.until(lambda s: all(lang["html_version"] for lang in s["languages"]) and len(s["languages"]) == 2,
                            "both reports")
    found = bilingual.languages(state)
    good = bilingual.get(found["fr"]["report"])
    po = bilingual.content / "translations" / "fr.po"
    text = po.read_text("utf-8")
    lines = text.splitlines()
    at = next(i for i, l in enumerate(lines) if l.startswith("msgstr ") and "FR:" in l)
    lines[at] = lines[at].replace("msgstr ", "msgstr_oops ")
    po.write_text("\n".join(lines) + "\n", "utf-8")
    state = bilingual.until(lambda s: s["errors"], "the catalog's error")
    (error,) = state["errors"]
    with pytest.raises(ContentError) as refused:  # the file and line a build names
        load(bilingual.content, "fr")
    (problem,) = refused.value.problems
    assert error["language"] == "fr" and error["file"] == "translations/fr.po"
    assert error["line"] == problem.location.line and error["line"] in (at, at + 1)
    assert "the catalog cannot be read" in error["message"]
    assert error["text"].startswith(f"translations/fr.po:{error['line']}: ")
    assert bilingual.languages(state)["fr"]["errors"] == 1 and bilingual.languages(state)["en"]["errors"] == 0
    assert bilingual.get(found["fr"]["report"]) == good  # French: its last good preview

    # The source keeps previewing; the French keeps its error and its last good preview.
    report = bilingual.content / "report.yaml"
    report.write_text(report.read_text("utf-8").replace(TITLE, "Why coordination still matters"), "utf-8")
    state = bilingual.until(lambda s: bilingual.languages(s)["en"]["html_version"] > found["en"]["html_version"],
                            "the source rebuilt")
    assert [e["language"] for e in state["errors"]] == ["fr"]
    assert "Why coordination still matters" in bilingual.get(found["en"]["report"])[1].decode()
    assert bilingual.get(found["fr"]["report"]) == good

    # Fixing the catalog clears the error and rebuilds the French from the new source.
    po.write_text(text, "utf-8")
    bilingual.until(lambda s: not s["errors"] and bilingual.languages(s)["fr"]["html_version"] > found["fr"]["html_version"],
                    "the error cleared")
    assert "Why coordination still matters" in bilingual.get(found["fr"]["report"])[1].decode()


@pytest.mark.skipif(not shutil.which("node") or not os.access(CHROMIUM, os.X_OK)
                    or not (A11Y / "node_modules" / "puppeteer-core").is_dir(),
                    reason="node, Chromium or puppeteer-core (make test installs it) is missing")
def test_a_browser_sees_an_edited_recommendation(icat):
    icat.built()
    run = subprocess.run(["node", str(A11Y / "preview.js"), icat.url, str(icat.content / "areas.yaml"),
                          RECOMMENDATION, "1"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["seen"] == [True]  # the new sentence, in the reloaded report
    (before, after), = result["scroll"]
    assert before > 0 and abs(after - before) <= 1  # where the reader was


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:][:1] != "Z"


def test_ctrl_c_stops_it_cleanly(icat):
    icat.built()
    areas = icat.content / "areas.yaml"
    areas.write_text(areas.read_text().replace(RECOMMENDATION, "A sentence being built"))
    icat.until(lambda s: s["building"], "a build running")  # Ctrl-C in the middle of it
    seen = _descendants(icat.process.pid)
    assert seen  # the build (and its workers)
    assert icat.stop() == 0
    assert "preview stopped" in icat.stderr
    left = [pid for pid in seen if _alive(pid)]
    assert not left, left
    leftovers = [p for p in icat.out.rglob("*") if p.name.startswith(".")]
    assert not leftovers, leftovers
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", icat.port), timeout=5).close()
