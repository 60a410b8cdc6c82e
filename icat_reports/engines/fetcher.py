"""WeasyPrint URL fetcher that reads only the project's own templates and assets.

With WeasyPrint's default fetcher, content could make the PDF embed any local file or fetch
any URL. This one answers data: URLs and files under the templates folder, and refuses the rest.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .weasy import URLFetcher

log = logging.getLogger(__name__)


class ProjectOnlyFetcher(URLFetcher):
    def __init__(self, root: Path, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Path(root).resolve()

    def fetch(self, url, *args, **kwargs):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, *args, **kwargs)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                return super().fetch(url, *args, **kwargs)
        log.warning("refused to fetch %s: only the project's templates and assets are read", url[:200])
        raise ValueError(f"refused to fetch {url[:200]}")
