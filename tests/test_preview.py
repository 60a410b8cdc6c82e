"""The live preview (build.py preview): path safety, loopback only, content errors in the page,
a real browser seeing an edit, and a clean Ctrl-C. Each test runs the command as users do, in a
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
import time
from pathlib import Path

import pytest

pytest.importorskip("watchfiles")

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "tests" / "fixtures" / "brief"
A11Y = ROOT / "tools" / "a11y"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RECOMMENDATION = "Increase the focus on demand in destination countries"


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
