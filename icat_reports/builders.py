"""The output formats, each behind one small contract: name, output files, the steps rendering them.

A format renders in one or more steps, each returning some of its files. Steps are what the
build runs in parallel (rendering.py): the handout's PowerPoint deck, for instance, renders
beside its two PDFs. A step that prints with WeasyPrint says so, because WeasyPrint takes
longer to import than most steps take to run: the build imports it once, before forking.

Renderers are imported only when their format is asked for, so `build.py check` and a
one-format build stay quick.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .job import Job


@dataclass(frozen=True)
class Step:
    outputs: tuple[str, ...]   # file names; "{report}" stands for the report's base name
    renderer: str          # "module:function", the function taking a Job and returning {name: bytes}
    prints: bool = False   # lays pages out with WeasyPrint
    cost: int = 1          # rough relative time, so that the longest steps start first
    # For a printing step, "module:function" taking the Job, that the build runs while it
    # imports WeasyPrint, before forking: what it leaves in job.cache, the step finds there.
    prepare: str | None = None

    def function(self, name: str | None = None):
        """The renderer (or the function named "module:function"), imported."""
        module, function = (name or self.renderer).split(":")
        return getattr(importlib.import_module(module, __package__), function)

    def files(self, report: str) -> tuple[str, ...]:
        return tuple(name.format(report=report) for name in self.outputs)

    def render(self, job: Job) -> dict[str, bytes]:
        files = self.function()(job)
        assert set(files) == set(self.files(job.report_name)), f"{self.renderer} rendered {sorted(files)}"
        return files


@dataclass(frozen=True)
class Builder:
    name: str
    description: str
    steps: tuple[Step, ...]

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(name for step in self.steps for name in step.outputs)

    def files(self, report: str) -> tuple[str, ...]:
        return tuple(name for step in self.steps for name in step.files(report))


BUILDERS: dict[str, Builder] = {b.name: b for b in (
    Builder("pdf", "the report as PDF",
            (Step(("{report}.pdf",), ".render.pdf:render", prints=True, cost=5),)),
    Builder("docx", "the report as Word",
            (Step(("{report}.docx",), ".render.word:render"),)),
    Builder("html", "the report as one HTML page",
            (Step(("{report}.html",), ".render.html:render", cost=0),)),
    Builder("handout", "the side-event slides (PDF, PowerPoint) and the printed notes handout",
            (Step(("handout-slides.pdf", "handout-notes.pdf"), ".render.handout:render_printed",
                  prints=True, cost=4, prepare=".render.handout:prepare"),
             Step(("handout.pptx",), ".render.powerpoint:render", cost=2))),
)}
