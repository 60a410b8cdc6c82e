"""Formats to rendered files: the steps of every format asked for, run in forked processes.

Workers are forked after the content was loaded, so none loads it again, and only render: the
caller writes the files. Importing WeasyPrint takes longer than most steps take to run, so
the steps that need no WeasyPrint (Word, PowerPoint) are forked first and run while the parent
imports it; the printing steps are forked after, and inherit it: up to one per core, without
waiting for the first ones to end. The HTML and the PDF share one render of the report page,
so they run in one process. While importing WeasyPrint the parent also runs each printing
step's `prepare` (the handout's: expanding the deck and parsing its two pages, 0.07 s), which
its process then inherits; the PowerPoint deck, already running, expands the deck itself. A
format is yielded when all its steps are done, so that its files are written together or not
at all.

No worker outlives the build: an interrupt (Ctrl-C, SIGTERM) or a failure in the parent kills
them, and the kernel kills them if the parent itself is killed outright (PR_SET_PDEATHSIG). A
worker never prints a traceback: a signal ends it silently, and the parent reports the rest.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Iterator

from . import interrupt
from .builders import BUILDERS, Step
from .job import Job
from .problems import ContentError, Problem

log = logging.getLogger(__name__)

# Formats rendered in one process because they reuse each other's work.
SHARED = (("html", "pdf"),)
Unit = list[tuple[str, Step]]  # steps run one after the other in one process: (format, step)


@dataclass
class Result:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    problems: list[Problem] | None = None  # the content cannot be laid out
    error: str | None = None               # any other failure, with its traceback


def units(names: list[str]) -> list[Unit]:
    """The steps of the formats named, in units that run in one process each, heaviest first."""
    result: list[Unit] = []
    for name in names:
        for step in BUILDERS[name].steps:
            shared = next((g for g in SHARED if name in g), None)
            home = next((u for u in result if shared and {n for n, _ in u} & set(shared)), None)
            (home.append((name, step)) if home is not None else result.append([(name, step)]))
    return sorted(result, key=lambda u: -_cost(u))


def _cost(unit: Unit) -> int:
    return sum(step.cost for _, step in unit)


def _prints(unit: Unit) -> bool:
    return any(step.prints for _, step in unit)


def render_unit(job: Job, unit: Unit) -> list[tuple[str, Result]]:
    results = []
    for name, step in unit:
        started = time.perf_counter()
        try:
            files = step.render(job)
            results.append((name, Result(name, files, time.perf_counter() - started)))
        except ContentError as error:
            results.append((name, Result(name, problems=error.problems)))
        except Exception:  # reported by the caller; the other formats go on
            results.append((name, Result(name, error=traceback.format_exc())))
    return results


def prepare_printing(job: Job, steps: list[Step]) -> None:
    """Import WeasyPrint and the printing renderers, check the font and run each step's
    `prepare`, once for every worker.

    A failure here (no WeasyPrint, a missing font, a slide that cannot fit) is left for each
    printing step to meet again and report as its own, so that the other formats are still
    built; job.once keeps nothing of a computation that failed.
    """
    try:
        for step in steps:
            step.function()
        from .render.pdf import check_font
        from .engines.weasy import font_config
        check_font(job.theme.fonts["body"])
        font_config()  # one for every printing process
    except Exception as error:
        log.debug("could not prepare printing: %s", error)
        return
    for step in steps:
        try:
            if step.prepare:
                step.function(step.prepare)(job)
        except Exception as error:
            log.debug("could not prepare %s: %s", step.renderer, error)


class _Combined:
    """Gathers each format's step results into one Result, ready once every step is in."""

    def __init__(self, names: list[str]):
        self.waiting = {name: len(BUILDERS[name].steps) for name in names}
        self.parts: dict[str, list[Result]] = {name: [] for name in names}

    def add(self, name: str, result: Result) -> Result | None:
        self.parts[name].append(result)
        self.waiting[name] -= 1
        if self.waiting[name]:
            return None
        parts = self.parts[name]
        # Steps that expand the same deck find the same problems: each is told once.
        problems = list(dict.fromkeys(p for r in parts if r.problems for p in r.problems))
        errors = [r.error for r in parts if r.error]
        if problems or errors:
            return Result(name, problems=problems or None, error="\n".join(errors) or None)
        return Result(name, {k: v for r in parts for k, v in r.files.items()},
                      max(r.seconds for r in parts))


def render(job: Job, names: list[str], workers: int | None = None) -> Iterator[Result]:
    """Render every format named, yielding each result as soon as all its files are ready."""
    for _, result in render_editions([job], names, workers):
        yield result


def render_editions(jobs: list[Job], names: list[str], workers: int | None = None) -> Iterator[tuple[Job, Result]]:
    """Render every format named of every edition (one job per language), sharing the cores
    between them: an edition's steps start as soon as a core is free, not when the edition
    before has ended (its last step left a core idle). Yields (job, result) as each format of
    an edition is ready."""
    plan = units(names)
    combined = {id(job): _Combined(names) for job in jobs}
    workers = min(len(plan) * len(jobs), workers or os.cpu_count() or 1)
    if workers <= 1:
        for job in jobs:
            for unit in plan:
                for name, result in render_unit(job, unit):
                    if (done := combined[id(job)].add(name, result)) is not None:
                        yield job, done
        return
    plain = [u for u in plan if not _prints(u)]
    printing = [u for u in plan if _prints(u)]
    log.debug("rendering %s, then %s, in up to %d processes, for %d edition(s)",
              [[s.renderer for _, s in u] for u in plain], [[s.renderer for _, s in u] for u in printing],
              workers, len(jobs))
    context = multiprocessing.get_context("fork")  # children inherit the content and WeasyPrint
    running: dict = {}  # the parent's end of each child's pipe: (process, job, unit)
    beside: set = set()  # the first edition's plain steps, run while the parent imports WeasyPrint
    prepared: set[int] = set()
    parent = os.getpid()
    _death_signal()  # loaded before forking: each child only calls it

    def start(job: Job, unit: Unit) -> object:
        if _prints(unit) and id(job) not in prepared:
            prepared.add(id(job))
            prepare_printing(job, [s for u in printing for _, s in u if s.prints])
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(job, unit, send, parent))
        # An interrupt while forking waits until the child is in `running`, and so is killed
        # with the others; the child starts with both signals held back (_child).
        with interrupt.deferred():
            process.start()
            running[receive] = (process, job, unit)
        send.close()
        return receive

    first = jobs[0]
    if printing:
        # While the parent imports WeasyPrint it is one of the busy processes: the other
        # steps share the remaining cores, and the printing steps follow.
        for unit in _bins(plain, workers - 1):
            beside.add(start(first, unit))
        pending = [(first, u) for u in printing]
    else:
        pending = [(first, u) for u in plain]
    pending += [(job, u) for job in jobs[1:] for u in plan]
    # The printing steps start as soon as the parent is ready, even while the first plain
    # steps still run: the cores are then shared and every process ends at about the same
    # time, whichever step turned out longer. Waiting for a core left one idle at the end.
    busy = lambda: sum(1 for conn in running if conn not in beside)
    try:
        while pending or running:
            while pending and busy() < workers:
                start(*pending.pop(0))
            for conn in wait(list(running)):
                process, job, unit = running.pop(conn)
                beside.discard(conn)
                for name, result in _receive(conn, unit):
                    if (done := combined[id(job)].add(name, result)) is not None:
                        yield job, done
                process.join()
    finally:
        # The caller stopped early, a failure, or an interrupt: no worker outlives the build.
        for conn, (process, _, _) in running.items():
            process.kill()
        for conn, (process, _, _) in running.items():
            process.join()
            conn.close()


def _bins(plan: list[Unit], count: int) -> list[Unit]:
    """The units merged into at most count, each added to the lightest so far."""
    bins: list[Unit] = [[] for _ in range(max(1, min(count, len(plan))))]
    for unit in plan:  # heaviest first already
        min(bins, key=_cost).extend(unit)
    return [b for b in bins if b]


def _death_signal():
    """prctl(PR_SET_PDEATHSIG, SIGKILL) from the C library, or None (not Linux)."""
    global _prctl
    if _prctl is None:
        _prctl = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes
                _prctl = ctypes.CDLL(None, use_errno=True).prctl
            except (OSError, AttributeError):
                pass
    return _prctl or None


_prctl = None
PR_SET_PDEATHSIG = 1


def _child(job: Job, unit: Unit, send, parent: int) -> None:
    # Die with the parent, however it ends (kill -9 too): a worker left behind would hold its
    # memory, and block on a pipe no one reads. If the parent died before the call, the
    # kernel will not tell: the child is already someone else's.
    prctl = _death_signal()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
    interrupt.reset_in_child()
    try:
        results = render_unit(job, unit)
        try:
            send.send(results)
        except OSError:  # the parent is gone, or stopped listening
            os._exit(1)
        except Exception:  # a result that cannot be sent (not picklable): say so instead
            error = traceback.format_exc()
            send.send([(name, Result(name, error=error)) for name, _ in unit])
        send.close()
    except BaseException:  # no traceback of a worker reaches the user: the parent reports it
        os._exit(1)


def _receive(conn, unit: Unit) -> list[tuple[str, Result]]:
    try:
        return conn.recv()
    except (EOFError, OSError):  # the process died without a word: killed, or out of memory
        return [(name, Result(name, error="the rendering process ended without a result"))
                for name, _ in unit]
    finally:
        conn.close()
