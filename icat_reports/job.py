"""What every renderer receives: the validated content, the theme and the build's identity."""

from __future__ import annotations

import datetime as dt
import logging
import os
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .model import Content
from .theme import Theme
from .tree import Document

log = logging.getLogger(__name__)


@dataclass
class Job:
    content: Content
    document: Document           # the tree every renderer walks (tree.py)
    theme: Theme
    templates: Path
    built: dt.datetime           # the build date shown on the imprint page (SOURCE_DATE_EPOCH if set)
    version: str                 # content version: a hash of the content's files
    images: dict[str, bytes] = field(default_factory=dict)  # content images by file name
    workers: int = 1             # processes a renderer may use (the report PDF lays out in parts)
    cache: dict = field(default_factory=dict, repr=False)  # renders shared between builders

    @property
    def report_name(self) -> str:
        """The base name of the report's files (report.output in report.yaml)."""
        return self.content.report.output

    def once(self, key: str, make):
        """Compute make() once per job: the PDF reuses the HTML render, for example."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


class BadEpoch(ValueError):
    """SOURCE_DATE_EPOCH is set but names no time."""


# The latest time a build may carry: what Python's dates and the zip format can hold.
_LATEST = dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc).timestamp()


def build_time(content_dir: Path | None = None) -> dt.datetime:
    """The date every output carries: SOURCE_DATE_EPOCH when set; else the time of the
    content's newest file, so that the same content gives the same bytes; never the clock,
    unless there is no content to date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        value = epoch.strip()
        if not value.isdigit() or int(value) > _LATEST:
            raise BadEpoch(f"SOURCE_DATE_EPOCH={value[:40]!r} is not a time: give whole seconds since "
                           "1970-01-01 (as `git log -1 --format=%ct` prints), or unset it")
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
    newest = max((p.stat().st_mtime for p in _content_files(content_dir)), default=None) \
        if content_dir is not None else None
    if newest is None:
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return dt.datetime.fromtimestamp(int(newest), dt.timezone.utc)


def _content_files(content_dir: Path) -> list[Path]:
    """Every file of the content folder, hidden ones (a .git folder) left out, in order."""
    folder = Path(content_dir)
    try:
        return sorted(p for p in folder.rglob("*") if p.is_file()
                      and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    except OSError:
        return []


def content_version(content_dir: Path) -> str:
    """What identifies the content: a hash of its files' names and bytes ('sha256:1a2b3c4d5e6f').

    No git is run: a content folder's own git settings (hooks, core.fsmonitor, a pager) could
    run a command. The same files give the same version, whatever the code's revision."""
    digest = hashlib.sha256()
    folder = Path(content_dir)
    for path in _content_files(folder):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        name = path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape")
        digest.update(len(name).to_bytes(4, "big") + name + len(data).to_bytes(8, "big") + data)
    return f"sha256:{digest.hexdigest()[:12]}"
