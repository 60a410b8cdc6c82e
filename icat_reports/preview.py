"""The live preview: `build.py preview` serves the publication on http://127.0.0.1:8000/.

One page (icat_reports/data/preview.html) shows, for the source language (`document.language`)
and every language with a catalog (content/translations/LANG.po), the report's HTML, the slides
(as JPEG images made from the slides PDF with poppler's pdftoppm, or the PDF itself without it)
and links to every output; a switcher at the top shows one language at a time, the source
first. A translation is previewed as `build.py --lang LANG --fallback` builds it: its outdated
or missing entries in the source language, so that an incomplete catalog still previews. The
page follows the server's state through server-sent events (/events): it reloads each
language's report keeping its scroll position, swaps the slides, and shows content problems
(file:line: message, the language they are in) in a banner above the last good preview.

A watcher thread (watchfiles) follows the content folder (the images it names live in it),
and the templates. A change rebuilds only what it affects. A catalog's change affects only its
language; any other change to the content every language (their texts come from it); a
template's change every language, and in it only the formats it affects: a slides or notes
template only the handout, a report template only the HTML and the PDF, anything else every
format. A catalog added is previewed whole, a catalog removed is no longer shown. The source's
HTML is rendered first, in this process, from a fresh load of the content (tens of
milliseconds), then each translation's; the other formats follow in a `build.py` subprocess,
the source's first (the handout, then the PDF and Word), then each translation's, a build
killed and restarted when a newer change makes it stale. While the source content is wrong,
its translations wait (they would show the same problems); a wrong catalog holds back only its
own language. Outputs go to <out>/preview/<language>/, written as a build writes them (whole
or not at all), so that a failed build leaves the last good outputs in place.

The server binds 127.0.0.1 only, answers only requests whose Host names it (no DNS
rebinding), and serves nothing but regular files inside the preview's folder: no `..` (however
encoded), no absolute path, no hidden file, no symbolic link. Ctrl-C stops the watcher and
the server, ends the build subprocess and removes its temporary files; the command then exits 0.
"""

from __future__ import annotations

import errno
import functools
import http.server
import json
import logging
import mimetypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path

from . import i18n
from .builders import BUILDERS
from .problems import ContentError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PORTS_TRIED = 100  # the port asked for, then the next ones while they are taken
# Formats built after the HTML, in this order, each group in one subprocess: the handout first,
# because its slides are on the page.
STAGES = (("handout",), ("pdf", "docx"))
EVERY_FORMAT = frozenset(BUILDERS)
SLIDES_WIDTH = 800  # pixels of a slide image
BACKGROUND_NICE = 10  # the priority of builds the page does not show at once (the PDF, Word)
KEEPALIVE = 15      # seconds between two comments on an idle event stream
# The warm build process: imports first, then runs the command line it reads on stdin.
WARM = """
import gc, json, os, sys
# As build.py does: fewer cycle collections (a tenth of a build's time), no plugin lookup,
# and no teardown of the interpreter once the files are written (0.25 s of each rebuild).
gc.set_threshold(20_000, 50, 50)
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from icat_reports.cli import main
for module in ("weasyprint", "icat_reports.render.html", "icat_reports.render.pdf",
               "icat_reports.render.handout", "icat_reports.render.powerpoint", "icat_reports.render.word"):
    try:
        __import__(module)
    except Exception:  # the build itself reports it
        pass
line = sys.stdin.readline()
status = main(json.loads(line)) if line.strip() else 0
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
"""
_WROTE = re.compile(r"^wrote (.+?)  \(")
_PROBLEM = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>[0-9]+): (?P<message>.+)$")


# -- what a change affects ----------------------------------------------------------------

SOURCE = ""  # the source language, in the builder's queues: its code is the content's, once loaded
EVERY = "*"  # a change that every language follows: the content (their texts come from it), a template
_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)*")  # a catalog's name, as `build.py translations` makes it


def stale(paths, content_dir: Path, templates_dir: Path) -> dict[str, set[str]]:
    """The formats that changed files make stale, by language: EVERY for a change that every
    language follows (the content, an image it names, a template), a language's code for a
    change to its catalog (translations/LANG.po, which only that language reads)."""
    found: dict[str, set[str]] = {}
    templates = Path(templates_dir).resolve()
    catalogs = (Path(content_dir) / i18n.FOLDER).resolve()
    for path in paths:
        path = Path(path).resolve()
        if path.is_relative_to(templates):
            name = path.name
            if name.startswith(("slides.", "notes.")):
                formats = {"handout"}
            elif name.startswith(("report.", "blocks.")):
                formats = {"html", "pdf"}
            else:  # the theme, or anything a template may include
                formats = set(EVERY_FORMAT)
            found.setdefault(EVERY, set()).update(formats)
        elif path == catalogs:  # the folder itself, made or removed: the catalogs are listed anew
            found.setdefault(EVERY, set())
        elif path.is_relative_to(catalogs):
            if path.parent == catalogs and path.suffix == ".po" and _CODE.fullmatch(path.stem):
                found.setdefault(path.stem, set()).update(EVERY_FORMAT)
            # anything else in it (a backup, a template .pot) is read by no build
        else:  # the content or an image it names
            found.setdefault(EVERY, set()).update(EVERY_FORMAT)
    return found


def affected(paths, content_dir: Path, templates_dir: Path) -> set[str]:
    """The formats that changed files make stale, in one language or in all."""
    return set().union(*stale(paths, content_dir, templates_dir).values())


def catalogs(content_dir: Path, source: str | None) -> list[str]:
    """The languages with a catalog, but the source's own (a build of it is the source)."""
    return [code for code in i18n.languages(content_dir) if _CODE.fullmatch(code) and code != source]


def languages(document, content_dir: Path) -> list[str]:
    """The languages previewed: the source language, then one per catalog."""
    source = document.content.language
    return [source, *catalogs(content_dir, source)]


@functools.lru_cache(maxsize=64)
def _locale(code: str) -> tuple[str, str]:
    """A language's name in itself (`français`) and its direction (ltr, rtl): its code and ltr
    when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code, "ltr"
    return locale.display_name or code, "rtl" if locale.character_order == "right-to-left" else "ltr"


# -- the state the page shows ---------------------------------------------------------------

@dataclass
class Output:
    name: str
    format: str
    version: int = 0   # 0: not built yet


@dataclass
class Language:
    code: str
    source: bool = False
    report: str = ""
    html_version: int = 0
    slides_version: int = 0
    slides: list[str] = field(default_factory=list)   # image paths, relative to the root
    outputs: dict[str, Output] = field(default_factory=dict)
    translation: dict | None = None   # a translation's counts: translated, outdated, missing, total


class State:
    """What the page shows; every change wakes the event streams. Problems are kept by
    language key (SOURCE or a catalog's code): the source's may come before its code is known."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.seq = 0
        self.stopping = False
        self.source: str | None = None                           # the source language's code
        self.languages: dict[str, Language] = {}                 # code: its entry
        self.content_errors: dict[str, list[dict]] = {}          # language key: its problems
        self.build_errors: dict[tuple[str | None, str], list[dict]] = {}  # (language key, format)
        self.building: set[tuple[str, str]] = set()              # (language key, format)
        self.queued: set[tuple[str, str]] = set()                # waiting for the subprocess
        self.rendering = False                                   # a change seen, its HTML not done

    def update(self, change) -> None:
        with self.changed:
            change(self)
            self.seq += 1
            self.changed.notify_all()

    def code(self, key: str | None) -> str | None:
        return self.source if key == SOURCE else key

    def snapshot(self) -> dict:
        with self.changed:
            errors: dict[str | None, list[dict]] = {}
            for key, problems in self.content_errors.items():
                errors.setdefault(self.code(key), []).extend(problems)
            for (key, name), problems in sorted(self.build_errors.items(), key=lambda i: (i[0][0] or "", i[0][1])):
                errors.setdefault(self.code(key), []).extend(dict(e, format=name) for e in problems)
            building: dict[str | None, list[str]] = {}
            for key, name in sorted(self.building):
                building.setdefault(self.code(key), []).append(name)
            queued: dict[str | None, list[str]] = {}
            for key, name in sorted(self.queued):
                queued.setdefault(self.code(key), []).append(name)
            order = sorted(self.languages.values(), key=lambda lang: (not lang.source, lang.code))
            codes = [None, *(lang.code for lang in order)]  # the preview's own problems first
            return {
                "seq": self.seq,
                "building": [name if code == self.source else f"{name} ({code})"
                             for code in codes for name in building.get(code, [])],
                # what comes next: idle when nothing is building, queued nor rendering
                "queued": [name if code == self.source else f"{name} ({code})"
                           for code in codes for name in queued.get(code, [])],
                "rendering": self.rendering,
                "errors": [dict(e, language=code) for code in [*codes, *(c for c in errors if c not in codes)]
                           for e in errors.get(code, [])],
                "languages": [
                    {"code": lang.code, "name": _locale(lang.code)[0], "dir": _locale(lang.code)[1],
                     "source": lang.source,
                     "report": _href(lang.code, lang.report) if lang.html_version else None,
                     "html_version": lang.html_version, "slides_version": lang.slides_version,
                     "slides": [f"/{s}" for s in lang.slides],
                     "building": building.get(lang.code, []), "translation": lang.translation,
                     "errors": len(errors.get(lang.code, [])),
                     "outputs": [{"name": o.name, "format": o.format, "version": o.version,
                                  "href": _href(lang.code, o.name)} for o in lang.outputs.values()]}
                    for lang in order],
            }

    def wait(self, seq: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.seq != seq or self.stopping, timeout)
            return self.seq


def _href(code: str, name: str) -> str:
    return f"/{urllib.parse.quote(code)}/{urllib.parse.quote(name)}"


def _relative(file: str, content_dir: Path) -> str:
    try:
        return Path(file).resolve().relative_to(Path(content_dir).resolve()).as_posix()
    except (ValueError, OSError):
        return file


def _problem(problem, content_dir: Path) -> dict:
    file = _relative(str(problem.location.file), content_dir)
    line = problem.location.line or None
    where = f"{file}:{line}" if line else file
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return {"file": file, "line": line, "message": message, "text": f"{where}: {message}"}


def _line_problems(text: str, content_dir: Path) -> list[dict]:
    """A build's stderr as problems: `file:line: message` lines parsed, the others as they are."""
    problems = []
    for line in text.strip().splitlines()[-30:]:
        line = line.strip()
        if not line or line == "interrupted":
            continue
        match = _PROBLEM.match(line)
        if match:
            file = _relative(match["file"], content_dir)
            problems.append({"file": file, "line": int(match["line"]), "message": match["message"],
                             "text": f"{file}:{match['line']}: {match['message']}"})
        else:
            problems.append({"file": None, "line": None, "message": line, "text": line})
    return problems


# -- building --------------------------------------------------------------------------------

class Builder:
    """Rebuilds what changes affect, language by language (the source first): the HTML here,
    the other formats in a subprocess. Its queues are keyed by language: SOURCE, or the code of
    a catalog; EVERY in `changes` is a change every language follows."""

    def __init__(self, state: State, content_dir: Path, root: Path, templates: Path, jobs: int = 2):
        self.state, self.content_dir, self.root, self.templates = state, content_dir, root, templates
        self.jobs = jobs
        self.lock = threading.Condition()
        self.changes: dict[str, set[str]] = {}    # formats made stale, not yet rebuilt in this process
        self.pending: dict[str, set[str]] = {}    # formats waiting for the subprocess
        self.deferred: dict[str, set[str]] = {}   # stale while the language's content is wrong
        self.process: subprocess.Popen | None = None
        self.warm: subprocess.Popen | None = None
        self.running: tuple[str, tuple[str, ...]] = (SOURCE, ())   # the language and formats building
        self.stopped = False
        self.busy = False                 # the HTML is being rebuilt: the subprocess waits for it
        self.source: str | None = None    # the source language's code, once the content loaded
        self.reports: dict[str, str] = {}  # language key: the report's name
        self.known: set[str] = set()       # the catalogs' languages previewed
        self.pdftoppm = shutil.which("pdftoppm")

    def code(self, key: str) -> str | None:
        return self.source if key == SOURCE else key

    def _tell(self) -> None:
        """What waits, for the page (called with the lock held: the state's lock comes after it)."""
        queued = {(key, name) for key, names in self.pending.items() for name in names}
        rendering = bool(self.changes) or self.busy
        self.state.update(lambda s: (setattr(s, "queued", queued), setattr(s, "rendering", rendering)))

    # called by the watcher
    def changed(self, formats: set[str], language: str = EVERY) -> None:
        """formats made stale in one language (SOURCE, a catalog's code) or in every one (EVERY)."""
        with self.lock:
            self.changes.setdefault(language, set()).update(formats)
            # A build of what this change makes stale is wasted: it starts again, with the rest.
            key, running = self.running
            if set(running) & formats and language in (EVERY, key) and self.process is not None:
                self.pending.setdefault(key, set()).update(running)
                self._end(self.process)
            self._tell()
            self.lock.notify_all()

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            for process in (self.process, self.warm):
                if process is not None:
                    self._end(process)
            self.lock.notify_all()

    def _end(self, process: subprocess.Popen) -> None:
        """Ask a subprocess (and its group) to stop: a build kills its workers and removes its
        temporary files on SIGTERM."""
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass

    # the builder thread: the HTML as soon as a change is seen
    def run_changes(self) -> None:
        while True:
            with self.lock:
                self.lock.wait_for(lambda: self.changes or self.stopped)
                if self.stopped:
                    return
                changes, self.changes = self.changes, {}
                self.busy = True
                self._tell()
            try:
                self._rebuild(changes)
            except Exception as error:  # a bug of the preview must not end it
                log.debug("rebuild failed", exc_info=True)
                problem = {"file": None, "line": None, "message": str(error), "text": str(error)}
                self.state.update(lambda s, problem=problem: s.build_errors.__setitem__((None, "preview"), [problem]))
            finally:
                with self.lock:
                    self.busy = False
                    self._tell()
                    self.lock.notify_all()

    def _rebuild(self, changes: dict[str, set[str]]) -> None:
        """Each language a change affects, the source first: its content loaded and its HTML
        rendered, its other formats queued for the subprocess."""
        every = changes.pop(EVERY, set())
        present = catalogs(self.content_dir, self.source)
        self._forget([code for code in self.known if code not in present])
        work = {SOURCE: every | changes.pop(SOURCE, set())}
        for code in present:
            # A catalog seen for the first time is built whole.
            work[code] = every | changes.pop(code, set()) | (set() if code in self.known else set(EVERY_FORMAT))
        self.known |= set(present)
        keys = [key for key in work if work[key]]
        for i, key in enumerate(keys):
            if key != SOURCE and (self.source is None or self.state.content_errors.get(SOURCE)):
                # The source is wrong: so is every translation of it (their texts come from it);
                # each is rebuilt once the source is right again.
                with self.lock:
                    self.deferred.setdefault(key, set()).update(work[key])
                continue
            self._edition(key, work[key])
            with self.lock:
                if self.changes and i + 1 < len(keys):  # a newer change first: the source may be in it
                    for rest in keys[i + 1:]:
                        self.changes.setdefault(rest, set()).update(work[rest])
                    return

    def _forget(self, gone: list[str]) -> None:
        """Languages whose catalog was removed: no longer previewed (their files stay on disk)."""
        if not gone:
            return
        with self.lock:
            for code in gone:
                self.known.discard(code)
                for queue in (self.pending, self.deferred, self.reports):
                    queue.pop(code, None)
                self._tell()

        def drop(s: State) -> None:
            for code in gone:
                s.languages.pop(code, None)
                s.content_errors.pop(code, None)
                for key in [k for k in s.build_errors if k[0] == code]:
                    del s.build_errors[key]
        self.state.update(drop)

    def _edition(self, key: str, formats: set[str]) -> None:
        """One language: loaded (its catalog applied) and its HTML rendered when the change
        needs it, then its other formats queued."""
        from . import cli
        needs_load = formats & {"html", "pdf", "docx"} or self.code(key) is None or key not in self.reports
        if needs_load:
            try:
                document, images = cli.load(self.content_dir, None if key == SOURCE else key)
            except ContentError as error:
                problems = [_problem(p, self.content_dir) for p in error.problems]
                with self.lock:
                    self.deferred.setdefault(key, set()).update(formats)
                self.state.update(lambda s: s.content_errors.__setitem__(key, problems))
                return
            except OSError as error:  # the folder is gone, or unreadable
                problem = {"file": str(self.content_dir), "line": None, "message": str(error),
                           "text": f"{self.content_dir}: {error}"}
                with self.lock:
                    self.deferred.setdefault(key, set()).update(formats)
                self.state.update(lambda s: s.content_errors.__setitem__(key, [problem]))
                return
            with self.lock:
                formats = formats | self.deferred.pop(key, set())
                if key == SOURCE:
                    self.source = document.content.language
                self.reports[key] = document.content.report.output
            counts = _counts(document)
            self.state.update(lambda s: (s.content_errors.pop(key, None), self._register(s, key, counts)))
            if "html" in formats:
                self._html(key, document, images)
        elif self.state.content_errors.get(key):  # a template change while the content is wrong
            with self.lock:
                self.deferred.setdefault(key, set()).update(formats)
            return
        rest = formats - {"html"}
        if rest:
            with self.lock:
                self.pending.setdefault(key, set()).update(rest)
                self._tell()
                self.lock.notify_all()

    def _register(self, state: State, key: str, counts: dict | None = None) -> None:
        """The language's entry and its outputs' names (the report's name may have changed)."""
        code, report = self.code(key), self.reports[key]
        if key == SOURCE:
            if state.source not in (None, code):  # the content's language changed
                state.languages.pop(state.source, None)
            state.source = code
        lang = state.languages.get(code)
        if lang is None:
            lang = state.languages[code] = Language(code)
        lang.source, lang.translation = key == SOURCE, counts
        lang.report = f"{report}.html"
        names = {f"{b.name}:{n}": (n, b.name) for b in BUILDERS.values() for n in b.files(report)}
        lang.outputs = {k: lang.outputs.get(k) or Output(name, fmt) for k, (name, fmt) in names.items()}
        for output in lang.outputs.values():
            if output.version == 0 and (self.root / code / output.name).is_file():
                output.version = 1  # left by an earlier preview: shown until rebuilt

    def _html(self, key: str, document, images) -> None:
        from .job import Job, build_time, content_version
        from .theme import load_theme
        from .writer import write_outputs
        code = self.code(key)
        try:
            job = Job(content=document.content, document=document, theme=load_theme(self.templates),
                      templates=self.templates.resolve(), built=build_time(self.content_dir),
                      version=content_version(self.content_dir), images=images, workers=1)
            files = BUILDERS["html"].steps[0].render(job)
            write_outputs(self.root / code, files)
        except ContentError as error:
            problems = [_problem(p, self.content_dir) for p in error.problems]
            self.state.update(lambda s: s.build_errors.__setitem__((key, "html"), problems))
            return
        except Exception as error:  # a template that does not compile, a full disk
            problem = _exception_problem(error, self.templates)
            self.state.update(lambda s: s.build_errors.__setitem__((key, "html"), [problem]))
            return

        def done(s: State) -> None:
            s.build_errors.pop((key, "html"), None)
            lang = s.languages[code]
            lang.html_version += 1
            for output in lang.outputs.values():
                if output.format == "html":
                    output.version = lang.html_version
        self.state.update(done)

    # the subprocess thread: the other formats, one stage after the other, the source first
    def run_builds(self) -> None:
        while True:
            with self.lock:
                self.lock.wait_for(lambda: (self.pending and not self.changes and not self.busy)
                                   or self.stopped)
                if self.stopped:
                    return
                key = min(self.pending, key=lambda k: (k != SOURCE, k))
                todo = self.pending[key]
                stage = next(s for s in (*STAGES, tuple(sorted(todo))) if set(s) & todo)
                formats = tuple(f for f in stage if f in todo)
                todo -= set(formats)
                if not todo:
                    del self.pending[key]
                code, report = self.code(key), self.reports.get(key)
                jobs = {(key, f) for f in formats} if code and report else set()
                # building before no longer queued: never idle in between
                self.state.update(lambda s, jobs=jobs: s.building.update(jobs))
                self._tell()
            if not jobs:
                continue
            try:
                self._build(formats, key, code, report)
            finally:
                self.state.update(lambda s, jobs=jobs: s.building.difference_update(jobs))

    def _spawn(self, cmd: list[str] | None, formats: tuple[str, ...], key: str = SOURCE) -> subprocess.Popen | None:
        """cmd in a new process group, or (None) the warm build process."""
        with self.lock:
            if self.stopped:
                return None
            if cmd is None:
                warm, self.warm = self.warm, None
                self.process = warm if warm is not None and warm.poll() is None else self._warm()
                if "handout" not in formats:
                    # The next warm process imports now, beside this background build (which
                    # runs at a lower priority), so that it is ready when the next change
                    # comes: started after the build, it was often still importing WeasyPrint
                    # (half a second) when the editor saved again.
                    self.warm = self._warm()
            else:
                self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, start_new_session=True)
            self.running = (key, formats)
            return self.process

    def _warm(self) -> subprocess.Popen:
        """A build process that has imported the renderers and WeasyPrint (half a second) and
        waits for its command line on stdin: one is started beside each background build, or
        after the handout's, for the next."""
        env = dict(os.environ)  # it imports this very package
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        return subprocess.Popen([sys.executable, "-c", WARM], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, env=env)

    def _finish(self, process: subprocess.Popen, command: list[str] | None = None) -> tuple[str, str, int]:
        try:
            out, err = process.communicate(json.dumps(command).encode() + b"\n" if command else None)
        finally:
            with self.lock:
                self.process, self.running = None, (SOURCE, ())
                if command is not None and not self.stopped and self.warm is None:
                    self.warm = self._warm()
        return out.decode(errors="replace"), err.decode(errors="replace"), process.returncode

    def _build(self, formats: tuple[str, ...], key: str, code: str, report: str) -> None:
        out_dir = self.root / code
        # As `build.py` lays its outputs out: the source into --out itself, a translation into
        # --out/LANG; --fallback shows a catalog's outdated or missing entries in the source
        # language (a final build refuses them), without marking the pages DRAFT.
        where = ["--out", str(out_dir)] if key == SOURCE else ["--out", str(self.root), "--lang", code, "--fallback"]
        command = [*formats, "--content", str(self.content_dir), *where,
                   "--templates", str(self.templates), "-j", str(self.jobs)]
        process = self._spawn(None, formats, key)
        if process is None:
            return
        if "handout" not in formats:
            # The report's PDF and Word (and LibreOffice laying the Word file out) yield the
            # cores to what the editor is waiting for: the browser fetching the new slides,
            # the next change's HTML. Its workers and LibreOffice inherit the priority.
            try:
                os.setpriority(os.PRIO_PGRP, process.pid, BACKGROUND_NICE)
            except (OSError, AttributeError):
                pass
        stdout, stderr, status = self._finish(process, command)
        if status < 0 or status in (130, 143):  # ended for a newer change, or for good
            return
        written = {Path(m[1]).name for m in map(_WROTE.match, stdout.splitlines()) if m}
        built, failed = [], []
        for name in formats:
            names = set(BUILDERS[name].files(report))
            (built if names <= written or (status == 0 and names) else failed).append(name)
        if "handout" in built:
            self._slides(out_dir, code, key)
        problems = _line_problems(stderr, self.content_dir) if failed else []

        def done(s: State) -> None:
            lang = s.languages.get(code)
            for name in built:
                s.build_errors.pop((key, name), None)
            for name in failed:
                s.build_errors[(key, name)] = problems or [{"file": None, "line": None, "text": f"{name} failed",
                                                            "message": f"{name} failed"}]
            if lang is None:
                return
            for output in lang.outputs.values():
                if output.format in built:
                    output.version += 1
        self.state.update(done)

    def _slides(self, out_dir: Path, language: str, key: str = SOURCE) -> None:
        """Each slide as a JPEG image, in a new folder (the page swaps them all at once)."""
        pdf = out_dir / "handout-slides.pdf"
        lang = self.state.languages.get(language)
        version = (lang.slides_version if lang else 0) + 1
        folder = out_dir / "slides"
        if self.pdftoppm:
            part = folder / f".{version}.{os.getpid()}.part"
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir(parents=True, exist_ok=True)
            try:
                process = self._spawn([self.pdftoppm, "-jpeg", "-scale-to", str(SLIDES_WIDTH), str(pdf),
                                       str(part / "slide")], (), key)
                if process is None:
                    return
                _, err, status = self._finish(process)
                if status != 0:
                    log.debug("pdftoppm failed: %s", err)
                    return
                final = folder / str(version)
                shutil.rmtree(final, ignore_errors=True)
                os.replace(part, final)
            finally:
                shutil.rmtree(part, ignore_errors=True)
            images = sorted(p.name for p in final.iterdir())
            paths = [f"{language}/slides/{version}/{name}" for name in images]
            for old in folder.iterdir():  # keep the one before, which the page may still show
                if old.name.isdigit() and int(old.name) < version - 1:
                    shutil.rmtree(old, ignore_errors=True)
        else:
            paths = []

        def done(s: State) -> None:
            entry = s.languages.get(language)
            if entry is not None:
                entry.slides_version, entry.slides = version, paths
        self.state.update(done)


def _counts(document) -> dict | None:
    """How much of a translation its catalog holds (None for the source)."""
    applied = getattr(document, "translation", None)
    if applied is None:
        return None
    outdated, missing = len(applied.fuzzy), len(applied.missing)
    return {"translated": applied.translated, "outdated": outdated, "missing": missing,
            "total": applied.translated + outdated + missing}


def _exception_problem(error: Exception, templates: Path) -> dict:
    file = getattr(error, "filename", None)
    line = getattr(error, "lineno", None)
    if file:
        try:
            file = "templates/" + Path(file).resolve().relative_to(Path(templates).resolve()).as_posix()
        except ValueError:
            pass
    message = f"{type(error).__name__}: {getattr(error, 'message', None) or error}"
    where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
    return {"file": file, "line": line, "message": message, "text": where + message}


# -- watching ------------------------------------------------------------------------------------

def watch(builder: Builder, content_dir: Path, templates: Path, root: Path, stop: threading.Event) -> None:
    import watchfiles

    ignored = watchfiles.DefaultFilter()
    root_real = os.path.realpath(root)

    def wanted(change, path: str) -> bool:
        real = os.path.realpath(path)
        if real == root_real or real.startswith(root_real + os.sep):  # the preview's own outputs
            return False
        return ignored(change, path)

    # step: a change is acted on 30 ms after the last write of a burst (an editor's save);
    # debounce: changes that keep coming are grouped 300 ms at most.
    for changes in watchfiles.watch(content_dir, templates, watch_filter=wanted, stop_event=stop,
                                    debounce=300, step=30, raise_interrupt=False, rust_timeout=1000):
        found = stale([path for _, path in changes], content_dir, templates)
        log.debug("changed %s: rebuilding %s", sorted(p for _, p in changes),
                  {k or "source": sorted(v) for k, v in found.items()})
        for language in sorted(found, key=lambda k: k != EVERY):
            builder.changed(found[language], language)


# -- serving ---------------------------------------------------------------------------------------

class Refused(Exception):
    def __init__(self, status: int):
        self.status = status


def safe_path(root: Path, request_path: str) -> Path:
    """The file inside root that a request's path names, or Refused (404 or 403)."""
    path = request_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        raise Refused(404)
    try:
        name = urllib.parse.unquote(path[1:], errors="strict")
    except UnicodeDecodeError:
        raise Refused(404) from None
    if not name or "\x00" in name or "\\" in name or os.path.isabs(name):
        raise Refused(404)
    parts = name.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise Refused(403 if ".." in parts else 404)
    base = os.path.realpath(root)
    current = base
    for part in parts:  # no symbolic link on the way, even one that stays inside
        current = os.path.join(current, part)
        if os.path.islink(current):
            raise Refused(403)
    real = os.path.realpath(current)
    if os.path.commonpath([real, base]) != base:
        raise Refused(403)
    if not os.path.isfile(real):
        raise Refused(404)
    return Path(real)


def page() -> bytes:
    return (package_files("icat_reports") / "data" / "preview.html").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "icat-preview"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    server: "Server"

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        log.debug("preview: " + format, *args)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        return host in {f"127.0.0.1:{port}", f"localhost:{port}"} or (port == 80 and host in {"127.0.0.1", "localhost"})

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        if not self._host_ok():
            return self._plain(403, "forbidden", head)
        route = self.path.split("?", 1)[0]
        if route in ("/", "/index.html"):
            return self._send(200, page(), "text/html; charset=utf-8", head)
        if route == "/state":
            body = json.dumps(self.server.state.snapshot()).encode()
            return self._send(200, body, "application/json", head)
        if route == "/events":
            return self._events(head)
        try:
            path = safe_path(self.server.root, self.path)
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except Refused as refused:
            return self._plain(refused.status, "forbidden" if refused.status == 403 else "not found", head)
        except OSError as error:
            return self._plain(403 if error.errno == errno.ELOOP else 404, "not found", head)
        with os.fdopen(fd, "rb") as f:
            body = f.read()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        self._send(200, body, kind, head)

    def _plain(self, status: int, text: str, head: bool) -> None:
        self._send(status, text.encode() + b"\n", "text/plain; charset=utf-8", head)

    def _headers(self, status: int, kind: str, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.end_headers()

    def _send(self, status: int, body: bytes, kind: str, head: bool) -> None:
        self._headers(status, kind, len(body))
        if not head:
            self.wfile.write(body)

    def _events(self, head: bool) -> None:
        self.close_connection = True
        self._headers(200, "text/event-stream", None)
        if head:
            return
        state = self.server.state
        seq = -1
        try:
            while not state.stopping:
                if seq != state.seq:
                    snapshot = state.snapshot()
                    seq = snapshot["seq"]
                    self.wfile.write(b"data: " + json.dumps(snapshot).encode() + b"\n\n")
                else:
                    self.wfile.write(b": idle\n\n")
                self.wfile.flush()
                state.wait(seq, KEEPALIVE)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port in use is taken by another server: try the next one

    def __init__(self, port: int, root: Path, state: State):
        self.root, self.state = root, state
        super().__init__((HOST, port), Handler)


def bind(port: int, root: Path, state: State) -> Server:
    """A server on 127.0.0.1 at port, or the next free port after it (port 0: any free port)."""
    last: OSError | None = None
    for candidate in ([0] if port == 0 else range(port, min(port + PORTS_TRIED, 65536))):
        try:
            return Server(candidate, root, state)
        except OSError as error:
            if error.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            last = error
    raise OSError(errno.EADDRINUSE, f"no free port from {port} to {port + PORTS_TRIED - 1}") from last


# -- the command -----------------------------------------------------------------------------------

def serve(content_dir: Path, out_dir: Path, templates: Path, port: int = 8000, jobs: int = 2,
          announce=print) -> int:
    """Serve the preview until Ctrl-C (or SIGTERM): the Interrupted the handler raises ends it."""
    content_dir = Path(content_dir)
    root = Path(out_dir) / "preview"
    root.mkdir(parents=True, exist_ok=True)
    state = State()
    server = bind(port, root, state)
    builder = Builder(state, content_dir, root, Path(templates), jobs)
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                name="preview-server", daemon=True),
               threading.Thread(target=builder.run_changes, name="preview-html", daemon=True),
               threading.Thread(target=builder.run_builds, name="preview-builds", daemon=True),
               threading.Thread(target=watch, args=(builder, content_dir, templates, root, stop),
                                name="preview-watch", daemon=True)]
    try:
        for thread in threads:
            thread.start()
        announce(f"preview at http://{HOST}:{server.server_address[1]}/ (Ctrl-C to stop)")
        builder.changed(set(EVERY_FORMAT))
        while True:
            time.sleep(3600)
    finally:
        stop.set()
        builder.stop()
        with state.changed:
            state.stopping = True
            state.changed.notify_all()
        server.shutdown()
        server.server_close()
        for thread in threads:
            thread.join(timeout=10)
        for process in (builder.process, builder.warm):
            if process is None:
                continue
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # it did not end on SIGTERM in time
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        for part in (root.glob("*/slides/.*.part")):
            shutil.rmtree(part, ignore_errors=True)


def command(content_dir: Path, out_dir: Path, templates: Path, port: int, jobs: int | None) -> int:
    """`build.py preview`: 0 when stopped with Ctrl-C, 143 with SIGTERM, 2 a wrong folder or port."""
    if not Path(content_dir).is_dir():
        print(f"preview: {content_dir} is not a folder", file=sys.stderr)
        return 2
    if not 0 <= port <= 65535:
        print(f"preview: --port {port} is not a port (0 to 65535)", file=sys.stderr)
        return 2
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        print("preview: the watchfiles package is missing; run `make setup`", file=sys.stderr)
        return 1
    try:
        serve(content_dir, out_dir, templates, port, jobs or 2,
              announce=lambda line: print(line, flush=True))
    except KeyboardInterrupt as error:  # Ctrl-C is how a preview ends
        status = getattr(error, "status", 130)
        print("preview stopped", file=sys.stderr, flush=True)
        return 0 if status == 130 else status
    except OSError as error:
        print(f"preview: cannot serve on {HOST}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0
