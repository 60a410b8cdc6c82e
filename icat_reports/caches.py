"""Where the build keeps what it compiles once and reuses: the user's cache folder.

Only what is derived from the project's code and the machine's fonts lives there (WeasyPrint's
C declarations, the Jinja templates compiled, the advance widths of the theme's fonts), never
content or outputs, each named by what it was made from and checked before use. Deleting the
folder is always safe: the next build makes them again.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """~/.cache/icat-reports, or under $XDG_CACHE_HOME when that is set."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "icat-reports"
