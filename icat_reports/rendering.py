"""Formats to rendered files: formats that share work rendered together, groups in parallel.

The HTML and the PDF share one render of the report page, so they stay in one group; other
groups run in worker processes, one per core, forked after the content was loaded once.
Workers only render; the caller writes the files.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Iterator

from .builders import BUILDERS
from .job import Job
from .problems import ContentError, Problem

log = logging.getLogger(__name__)

# Formats rendered in one process because they reuse each other's work.
SHARED = (("html", "pdf"),)
# Rough relative cost, heaviest first, so that the longest group starts first.
COST = {"handout": 3, "pdf": 2, "docx": 1, "html": 0}


@dataclass
class Result:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    problems: list[Problem] | None = None  # the content cannot be laid out
    error: str | None = None               # any other failure, with its traceback


def groups(names: list[str]) -> list[list[str]]:
    result: list[list[str]] = []
    for name in names:
        shared = next((g for g in SHARED if name in g), None)
        home = next((g for g in result if shared and set(g) & set(shared)), None)
        (home.append(name) if home is not None else result.append([name]))
    return sorted(result, key=lambda g: -sum(COST.get(n, 1) for n in g))


def render_group(job: Job, names: list[str]) -> list[Result]:
    results = []
    for name in names:
        started = time.perf_counter()
        try:
            files = BUILDERS[name].render(job)
            results.append(Result(name, files, time.perf_counter() - started))
        except ContentError as error:
            results.append(Result(name, problems=error.problems))
        except Exception:  # reported by the caller; the other formats go on
            results.append(Result(name, error=traceback.format_exc()))
    return results


def render(job: Job, names: list[str], workers: int | None = None) -> Iterator[Result]:
    """Render every format named, yielding each result as soon as it is ready."""
    plan = groups(names)
    workers = min(len(plan), workers or os.cpu_count() or 1)
    if workers <= 1:
        for group in plan:
            yield from render_group(job, group)
        return
    log.debug("rendering %s in %d processes", plan, workers)
    context = multiprocessing.get_context("fork")  # children inherit the loaded content
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(render_group, job, group) for group in plan]
        for future in as_completed(futures):
            yield from future.result()
