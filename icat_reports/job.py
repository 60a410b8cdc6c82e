"""What every renderer receives: the validated content, the theme and the build's identity."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
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
    built: dt.datetime           # the build date shown in the colophon (SOURCE_DATE_EPOCH if set)
    version: str                 # content version: git revision when available
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


def build_time() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def content_version(content_dir: Path) -> str:
    """The git revision of the content ('abc1234', '+ local changes' if edited), else 'unversioned'."""
    try:
        run = lambda *a: subprocess.run(["git", "-C", str(content_dir), *a], capture_output=True,
                                        text=True, timeout=10)
        rev = run("rev-parse", "--short=10", "HEAD")
        if rev.returncode != 0:
            return "unversioned"
        dirty = run("status", "--porcelain", "--", ".").stdout.strip()
        return rev.stdout.strip() + (" + local changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unversioned"
