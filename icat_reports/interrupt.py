"""Ctrl-C and SIGTERM: one exception in the build's main thread, and a few steps they must wait for.

`handled()` turns the first SIGINT or SIGTERM into `Interrupted` (a KeyboardInterrupt, so that
no `except Exception` swallows it) and ignores the ones that follow, so that the clean-up it
starts (killing the workers, removing temporary files) is not itself cut short. `deferred()`
holds both signals back for a few system calls that must run together (renaming a format's
files into place, forking a worker): a signal that came meanwhile is acted on right after.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:  # as a shell reports a process a signal ended: 130 or 143
        return 128 + self.signum


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted, once; the previous handlers come back after."""
    if not _main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum, frame):
        if fired:
            return
        fired.append(signum)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)


@contextmanager
def deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (a child forked in it starts so too)."""
    if not _main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def reset_in_child() -> None:
    """In a forked worker (started inside `deferred`): both signals end it at once, silently,
    as they would any program; then let them through."""
    for s in SIGNALS:
        signal.signal(s, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
