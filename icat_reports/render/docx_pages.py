"""On which page of the Word file each bookmarked heading starts, as LibreOffice lays it out.

Only a layout engine knows a Word file's page numbers, and the PDF's are not Word's. The .docx
(its TOC entries holding placeholder numbers as wide as the real ones) is converted once with
LibreOffice headless, exporting each Word bookmark as a named PDF destination; the page of
each destination is its heading's page. LibreOffice takes one to two seconds, so the answer is
kept in the user's cache folder under a hash of the .docx's parts (its properties, which hold
the build's time, left out) and of the LibreOffice installation: an unchanged document costs
nothing.

Whatever goes wrong (no LibreOffice, a crash, a timeout, an unreadable PDF) returns None and
logs a warning: the contents are then written without numbers, and the build goes on.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..caches import cache_dir

log = logging.getLogger(__name__)

TIMEOUT_S = 60          # LibreOffice starts in 1-2 s and lays out the report in under 1 s
PROFILE_SLOTS = 4       # private LibreOffice profiles kept in the cache, one per concurrent build
FORMAT = 1              # of the cached answers; bump when what is stored changes
FILTER = ('pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"},'
          '"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}')


def soffice() -> str | None:
    """The LibreOffice command: $ICAT_SOFFICE if set (empty: none), else soffice on the PATH."""
    command = os.environ.get("ICAT_SOFFICE")
    if command is not None:
        return command or None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _installation(command: str) -> str:
    """What identifies the LibreOffice that lays out: its resolved path and its date."""
    path = Path(shutil.which(command) or command).resolve()
    try:
        return f"{path}:{path.stat().st_mtime_ns}"
    except OSError:
        return str(path)


def layout_key(data: bytes, installation: str) -> str:
    """A hash of what the layout depends on: the package's parts but its properties
    (docProps/ holds the build's time of day; the imprint shows its date) and the zip's
    timestamps; and the LibreOffice installation."""
    digest = hashlib.sha256(f"{FORMAT}\0{installation}".encode())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in sorted(package.namelist()):
            if not name.startswith("docProps/"):
                digest.update(f"\0{name}\0".encode() + package.read(name))
    return digest.hexdigest()


def heading_pages(data: bytes, bookmarks: list[str]) -> dict[str, int] | None:
    """{bookmark: page} of the .docx data (pages counted from 1, the cover included), or None."""
    command = soffice()
    if command is None:
        log.warning("LibreOffice (soffice) not found: the Word contents have no page numbers")
        return None
    key = layout_key(data, _installation(command))
    path = cache_dir() / "docx-pages" / f"{key[:40]}.json"
    try:
        cached = json.loads(path.read_text("utf-8"))
        if cached.get("format") == FORMAT and cached.get("key") == key:
            return _of(cached["pages"], bookmarks)
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        pass
    pages = _lay_out(command, data)
    if pages is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"format": FORMAT, "key": key, "pages": pages}), "utf-8")
        temporary.replace(path)
    except OSError as error:
        log.debug("docx pages not cached: %s", error)
    return _of(pages, bookmarks)


def _of(pages: dict[str, int], bookmarks: list[str]) -> dict[str, int]:
    return {b: int(pages[b.lstrip("_")]) for b in bookmarks if b.lstrip("_") in pages}


def pdf_destinations(pdf_path) -> dict[str, int]:
    """{name: page} of a PDF's named destinations (pages from 1); LibreOffice writes a Word
    bookmark _Toc0001 as /_Toc0001 (older versions spell the underscore 5F)."""
    import pikepdf
    result: dict[str, int] = {}
    with pikepdf.open(pdf_path) as pdf:
        numbers = {page.objgen: index + 1 for index, page in enumerate(pdf.pages)}
        root = pdf.Root
        items = []
        if "/Dests" in root:
            items = [(str(name), root.Dests[name]) for name in root.Dests.keys()]
        elif "/Names" in root and "/Dests" in root.Names:
            items = [(f"/{name}", value) for name, value in pikepdf.NameTree(root.Names.Dests).items()]
        for name, value in items:
            target = value.get("/D") if isinstance(value, pikepdf.Dictionary) else value
            if isinstance(target, pikepdf.Array) and len(target) and target[0].objgen in numbers:
                result[re.sub(r"^/(#5F|5F)?", "", name).lstrip("_")] = numbers[target[0].objgen]
    return result


@contextlib.contextmanager
def _profile():
    """A LibreOffice user profile no other running conversion uses: a cached one (a warm
    profile starts 0.4 s sooner) locked for the duration, or a fresh temporary one."""
    base = cache_dir() / "libreoffice"
    for slot in range(PROFILE_SLOTS):
        try:
            base.mkdir(parents=True, exist_ok=True)
            lock = open(base / f"profile-{slot}.lock", "w")
        except OSError:
            break
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        try:
            yield base / f"profile-{slot}"
        finally:
            lock.close()
        return
    with tempfile.TemporaryDirectory(prefix="icat-lo-profile-") as directory:
        yield Path(directory)


def _lay_out(command: str, data: bytes) -> dict[str, int] | None:
    """Convert the .docx to PDF with LibreOffice; {bookmark: page} of its headings."""
    with tempfile.TemporaryDirectory(prefix="icat-docx-pages-") as directory, _profile() as profile:
        source = Path(directory) / "report.docx"
        source.write_bytes(data)
        arguments = [command, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                     "--norestore", "--nolockcheck", "--convert-to", FILTER,
                     "--outdir", directory, str(source)]
        try:
            process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as error:
            log.warning("LibreOffice could not start (%s): the Word contents have no page numbers", error)
            return None
        try:
            output, _ = process.communicate(timeout=TIMEOUT_S)
        except BaseException as error:  # a timeout, or the build interrupted: never leave it running
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if not isinstance(error, subprocess.TimeoutExpired):
                raise
            log.warning("LibreOffice took more than %d s: the Word contents have no page numbers",
                        TIMEOUT_S)
            return None
        pdf = source.with_suffix(".pdf")
        if process.returncode != 0 or not pdf.exists():
            tail = output.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            log.warning("LibreOffice failed (exit %s: %s): the Word contents have no page numbers",
                        process.returncode, tail[0])
            return None
        try:
            return pdf_destinations(pdf)
        except Exception as error:  # noqa: BLE001 - a PDF pikepdf cannot read: no numbers
            log.warning("LibreOffice's PDF could not be read (%s): the Word contents have no "
                        "page numbers", error)
            return None
