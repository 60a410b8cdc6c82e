"""Where the build keeps what it compiles once and reuses: the user's cache folder.

Only compiled forms of the project's own code live there (WeasyPrint's C declarations, the
Jinja templates), never content or outputs, each checked against its source before use.
Deleting the folder is always safe: the next build compiles them again.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """~/.cache/icat-reports, or under $XDG_CACHE_HOME when that is set."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "icat-reports"
