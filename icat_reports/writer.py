"""Rendered bytes to files in the output directory, each written atomically.

Every output goes to a temporary file beside its target and is renamed into place only once
complete, so a failed or concurrent build never leaves a truncated or mixed file behind.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    path: Path
    size: int


def write_atomic(path: Path, data: bytes) -> Written:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Written(path, len(data))


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Written]:
    written = []
    for name, data in files.items():
        target = (Path(out_dir) / name)
        written.append(write_atomic(target, data))
        log.debug("wrote %s", target)
    return written
