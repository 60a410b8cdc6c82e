"""Rendered bytes to files in the output directory: a format's files together, or not at all.

Every file of a format is first written in full to a temporary file beside its target, each
write checked and synced; only once all of them are on disk are they renamed into place, one
after the other with the interrupts held back (a rename within one folder cannot run out of
space). If any write fails (a full disk, a quota, a file-size limit) every temporary file is
removed and the previous files stay exactly as they were. So a failed, interrupted or
concurrent build never leaves a truncated, mixed or half-replaced format behind.

The temporary names carry the writing process's id, `.NAME.<pid>.<random>.tmp`: a process
killed outright (kill -9, a power cut) cannot remove its own, and the next build removes those
whose process is gone (`remove_stale`), never those of a build still running beside it.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .interrupt import deferred

log = logging.getLogger(__name__)

# .NAME.<pid>.<8 characters of tempfile's alphabet>.tmp; the older form had no pid.
TEMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[a-z0-9_]{8}\.tmp")
OLD_TEMP = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
STALE_SECONDS = 3600  # a temporary file of a live process, older than this: its pid was reused
OLD_STALE_SECONDS = 60


@dataclass(frozen=True)
class Written:
    path: Path
    size: int


class WriteError(OSError):
    """A format's files could not all be written: which file, why, and what was replaced."""

    def __init__(self, folder: Path, name: str, cause: OSError, replaced: list[str], kept: list[str]):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.folder, self.name, self.cause, self.replaced, self.kept = folder, name, cause, replaced, kept

    @property
    def reason(self) -> str:
        text = self.cause.strerror or str(self.cause)
        return text[:1].lower() + text[1:]

    @property
    def outcome(self) -> str:
        if not self.replaced:
            return "nothing was replaced: its previous output is unchanged"
        return (f"{', '.join(self.replaced)} replaced, but {', '.join(self.kept)} kept"
                f" {'its' if len(self.kept) == 1 else 'their'} previous version")

    def __str__(self) -> str:
        return f"cannot write {self.name} in {self.folder}: {self.reason}"


def write_atomic(path: Path, data: bytes) -> Written:
    """One file, whole or not at all."""
    return write_outputs(Path(path).parent, {Path(path).name: data})[0]


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Written]:
    """Every file, or none: WriteError says which could not be written, and what was replaced."""
    out_dir = Path(out_dir)
    names = list(files)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(out_dir, names[0] if names else str(out_dir), error, [], names) from error
    temps: list[tuple[str, str]] = []  # (temporary path, name)
    replaced: list[str] = []
    try:
        for name in names:
            target = out_dir / name
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                           dir=target.parent)
                temps.append((tmp, name))
                _write_all(fd, files[name])
            except OSError as error:
                raise WriteError(out_dir, name, error, [], names) from error
        with deferred():  # all renamed, or (if a rename fails) told exactly which
            for tmp, name in temps:
                try:
                    os.replace(tmp, out_dir / name)
                except OSError as error:
                    raise WriteError(out_dir, name, error, replaced, [n for n in names if n not in replaced]) \
                        from error
                replaced.append(name)
    except BaseException:
        for tmp, name in temps:
            if name not in replaced:
                _unlink(tmp)
        raise
    _sync_folder(out_dir)
    for name in names:
        log.debug("wrote %s", out_dir / name)
    return [Written(out_dir / name, len(files[name])) for name in names]


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (a short write is retried; none at all is a full disk), sync, close."""
    try:
        view = memoryview(data)
        while view:
            count = os.write(fd, view)
            if count <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            view = view[count:]
        os.fchmod(fd, 0o644)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)  # a network file system may tell of a full disk only here


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:  # the next build removes it
        log.debug("cannot remove %s: %s", path, error)


def _sync_folder(folder: Path) -> None:
    """The renames themselves on disk (best effort: not every system can sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        log.debug("cannot sync %s: %s", folder, error)


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove the temporary files a killed build left in out_dir: those whose process is gone
    (or whose pid has been reused: older than an hour), and those of the older naming, without
    a pid, older than a minute. Another build's files, while it runs, are left alone."""
    removed = []
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if match := TEMP.fullmatch(entry.name):
            pid = int(match["pid"])
            stale = pid != os.getpid() and (not _alive(pid) or age > STALE_SECONDS)
        else:
            stale = OLD_TEMP.fullmatch(entry.name) is not None and age > OLD_STALE_SECONDS
        if stale:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
            except OSError as error:
                log.debug("cannot remove %s: %s", entry.path, error)
                continue
            removed.append(Path(entry.path))
            log.debug("removed %s, left by a build that was killed", entry.path)
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return True
    try:  # a zombie has ended; only its parent has not read its status yet
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:][:1] != "Z"
    except (OSError, ValueError):
        return True
