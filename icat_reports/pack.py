"""The built outputs and the content they were made from to one meeting pack (a zip), and a
pack back to what it claims to hold.

The pack holds every output of every language, a snapshot of the content files (so that a
later comparison can read this edition without git), and MANIFEST.txt and manifest.json,
which list every file with its size and SHA-256, the content version and the build date.
The same files give the same zip, byte for byte: entries in order, dated from the build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST_JSON, MANIFEST_TXT = "manifest.json", "MANIFEST.txt"
FORMAT = 1  # of the pack: a later version refuses a pack it cannot read


class PackError(Exception):
    """A pack that cannot be read, or one that would overwrite another."""


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def name_of(meeting: str, date: dt.date) -> str:
    """'7th ICAT meeting', 2011-05-04 -> '7th-icat-meeting-2011-05-04.zip'."""
    slug = re.sub(r"[^\w]+", "-", meeting.casefold()).strip("-_") or "meeting"
    return f"{slug}-{date.isoformat()}.zip"


_OUTPUT = re.compile(r"([a-z]{2,3}(-[A-Za-z0-9]+)*/)?[^/]+\.(pdf|docx|html|pptx)")


def _files(folder: Path, prefix: str, outputs: bool = False) -> list[Entry]:
    """The files of folder; of an output folder, only the outputs (OUT/NAME.pdf, OUT/LANG/...)."""
    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or path.is_symlink() or any(p.startswith(".") for p in relative.parts):
            continue
        if outputs and not _OUTPUT.fullmatch(relative.as_posix()):
            continue
        out.append(Entry(f"{prefix}/{relative.as_posix()}", path.read_bytes()))
    return out


def make(out_dir: Path, content_dir: Path, meeting: str, date: dt.date, version: str,
         built: dt.datetime, extra: list[Entry] = ()) -> bytes:
    """The pack's bytes: the outputs in out_dir, the content, the manifests."""
    entries = _files(out_dir, "outputs", outputs=True) + list(extra) + _files(content_dir, "content")
    if not any(e.name.startswith("outputs/") for e in entries):
        raise PackError(f"no outputs in {out_dir}; build them first")
    manifest = {"format": FORMAT, "meeting": meeting, "date": date.isoformat(),
                "content_version": version, "built": built.isoformat(),
                "files": [{"name": e.name, "size": len(e.data), "sha256": e.digest} for e in entries]}
    text = [f"{meeting}, {date.isoformat()}", f"content version {version}, built {built.isoformat()}", ""]
    text += [f"{e.digest}  {len(e.data):>10}  {e.name}" for e in entries]
    entries.append(Entry(MANIFEST_JSON, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()))
    entries.append(Entry(MANIFEST_TXT, ("\n".join(text) + "\n").encode()))
    stamp = built.astimezone(dt.timezone.utc).timetuple()[:6] if built.tzinfo else built.timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in sorted(entries, key=lambda e: (e.name not in (MANIFEST_TXT, MANIFEST_JSON), e.name)):
            info = zipfile.ZipInfo(entry.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, entry.data)
    return buffer.getvalue()


def read(path: Path) -> tuple[dict, zipfile.ZipFile]:
    """The manifest and the open archive, or PackError in plain words."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise PackError(f"{path} is not a meeting pack: {error}") from None
    try:
        manifest = json.loads(archive.read(MANIFEST_JSON))
    except KeyError:
        raise PackError(f"{path} has no {MANIFEST_JSON}: not a meeting pack") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise PackError(f"{path}: its {MANIFEST_JSON} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackError(f"{path} is a pack of another format ({manifest.get('format') if isinstance(manifest, dict) else '?'}); "
                        f"this version reads format {FORMAT}")
    return manifest, archive


def verify(path: Path) -> list[str]:
    """What in the pack differs from its manifest, in words; empty when it is whole."""
    manifest, archive = read(path)
    problems = []
    listed = {f["name"]: f for f in manifest.get("files", []) if isinstance(f, dict) and "name" in f}
    present = set(archive.namelist()) - {MANIFEST_JSON, MANIFEST_TXT}
    for name, record in sorted(listed.items()):
        if name not in present:
            problems.append(f"{name}: listed in the manifest but not in the pack")
            continue
        data = archive.read(name)
        if len(data) != record.get("size") or hashlib.sha256(data).hexdigest() != record.get("sha256"):
            problems.append(f"{name}: differs from the manifest (SHA-256 {hashlib.sha256(data).hexdigest()[:16]}…, "
                            f"expected {str(record.get('sha256'))[:16]}…)")
    for name in sorted(present - set(listed)):
        problems.append(f"{name}: in the pack but not in the manifest")
    return problems


def content_of(path: Path, into: Path) -> Path:
    """Unpack a pack's content snapshot (after checking the pack) into a folder; that folder."""
    problems = verify(path)
    if problems:
        raise PackError(f"{path} does not match its manifest: {problems[0]}")
    _, archive = read(path)
    into.mkdir(parents=True, exist_ok=True)
    for name in archive.namelist():
        if name.startswith("content/") and not name.endswith("/"):
            relative = Path(name).relative_to("content")
            if ".." in relative.parts or relative.is_absolute():
                raise PackError(f"{path}: {name} leads out of the pack's content")
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
    return into
